"""Option tables: the type, range, choices and help of every option, written once.

As scikit-learn's ``_parameter_constraints``: a class holds the defaults (its fields) and a
table maps each field name to an :class:`Option`. The same table validates the values
(:func:`check_options`), names the parameter in every error, and generates the
command line's flags, ``choices``, help and defaults (``softmax_mnist.cli``), so that no
list of choices or range is written twice.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError

_BOUNDS = {"both": ("[", "]"), "left": ("[", ")"), "right": ("(", "]"), "neither": ("(", ")")}


@dataclass(frozen=True)
class Option:
    """What one option accepts, and how the command line offers it.

    Attributes:
        kind: ``int``, ``float``, ``bool``, ``str`` or ``list`` (of whole numbers ≥ 1).
        help: one phrase for ``--help``.
        flag: the command-line flag (``--lr``); None for options the command line omits.
        low, high: the allowed range (None: unbounded); ``closed`` says which ends are
            allowed: "both", "left", "right" or "neither".
        choices: the allowed values of a ``str`` option.
        hint: what to try, shown in errors (``try 0.1``).
        metavar: the value's name in ``--help``.
        const: the value of the flag given alone (``--augment`` means "affine"); None:
            the flag needs a value.
    """

    kind: type
    help: str
    flag: str | None = None
    low: float | None = None
    high: float | None = None
    closed: str = "both"
    choices: tuple[str, ...] = ()
    hint: str = ""
    metavar: str | None = None
    const: Any = None

    def describe(self) -> str:
        """The allowed values in words: ``a number > 0``, ``in [0, 1)``, ``one of a, b``."""
        if self.choices:
            return f"one of {', '.join(self.choices)}"
        if self.kind is bool:
            return "true or false"
        if self.kind is str:
            return "text"
        if self.kind is list:
            top = f" … {self.high:g}" if self.high is not None else " or more"
            return f"a list of whole numbers {self.low or 1:g}{top} such as [256] or 512,256"
        noun = "a whole number" if self.kind is int else "a number"
        left, right = _BOUNDS[self.closed]
        if self.low is not None and self.high is not None:
            return f"{noun} in {left}{self.low:g}, {self.high:g}{right}"
        if self.low is not None:
            return f"{noun} {'≥' if left == '[' else '>'} {self.low:g}"
        if self.high is not None:
            return f"{noun} {'≤' if right == ']' else '<'} {self.high:g}"
        return noun

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` is of the right type and within range or choices."""
        if self.kind is bool:
            return isinstance(value, bool)
        if self.kind is str:
            return isinstance(value, str) and (not self.choices or value in self.choices)
        if self.kind is list:
            return isinstance(value, list | tuple) and all(
                isinstance(v, int) and not isinstance(v, bool)
                and (self.low or 1) <= v <= (self.high or math.inf) for v in value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if self.kind is int and not isinstance(value, int):
            return False
        if not math.isfinite(value):
            return False
        lo_ok = self.low is None or (value >= self.low if self.closed in ("both", "left")
                                     else value > self.low)
        hi_ok = self.high is None or (value <= self.high if self.closed in ("both", "right")
                                      else value < self.high)
        return lo_ok and hi_ok

    def check(self, name: str, value: Any) -> None:
        """ConfigError naming ``name`` unless :meth:`accepts` ``value``."""
        if not self.accepts(value):
            hint = f" ({self.hint})" if self.hint else ""
            raise ConfigError(f"{{{name}}} must be {self.describe()}{hint}, "
                              f"got {literal(repr(value))}.", params=(name,))


@dataclass(frozen=True)
class Rule:
    """A condition on several options together, e.g. Nesterov needs momentum > 0."""

    params: tuple[str, ...]
    holds: Callable[[Mapping[str, Any]], bool]
    message: str  # a template naming the params as {name}


def check_options(values: Mapping[str, Any], table: Mapping[str, Option],
                  rules: Sequence[Rule] = ()) -> None:
    """Check every value that has an entry in ``table``, then every rule."""
    for name, value in values.items():
        if name in table:
            table[name].check(name, value)
    for rule in rules:
        if not rule.holds(values):
            raise ConfigError(rule.message, params=rule.params)


def literal(text: str) -> str:
    """``text`` escaped for a ConfigError template (braces doubled)."""
    return text.replace("{", "{{").replace("}", "}}")


def reject_unknown(keys: Iterable[str], known: Sequence[str], what: str,
                   source: str = "") -> None:
    """ConfigError for the first of ``keys`` not in ``known``, with a suggestion."""
    for key in keys:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            where = f"{source}: " if source else ""
            raise ConfigError(f"{where}unknown {what} {key!r}.{hint} "
                              f"Known: {', '.join(known)}.")
