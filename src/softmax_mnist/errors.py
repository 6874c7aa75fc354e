"""The exception types for user mistakes.

Anything the user can fix (a missing file, a corrupt download, an impossible option)
raises :class:`SoftmaxMnistError` with a message that says what is wrong and what to do.
The command line prints that message on one line and exits with status 2; everything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class SoftmaxMnistError(Exception):
    """A problem the user can fix; the message says how."""


class DataError(SoftmaxMnistError):
    """A data file is missing, truncated or not in IDX format."""


class ConfigError(SoftmaxMnistError, ValueError):
    """An option is out of its allowed range, or options contradict each other.

    The message names options by their parameter names (``learning_rate``). When it is
    built as a template with ``params`` — ``"{learning_rate} must be > 0"`` — a front end
    can name them its own way: the command line renders ``--lr must be > 0``.
    """

    def __init__(self, message: str, *, params: Sequence[str] = ()):
        self.template, self.params = message, tuple(params)
        super().__init__(self.render())

    def render(self, names: Mapping[str, str] | None = None) -> str:
        """The message with each parameter called ``names[param]`` (default: its own name)."""
        if not self.params:
            return self.template
        names = names or {}
        return self.template.format(**{p: names.get(p, p) for p in self.params})


class ModelFileError(SoftmaxMnistError):
    """A saved model or checkpoint file is missing, foreign or damaged."""
