"""Probes: what a check asks the code under test to do, as plain data.

A probe is a list of steps and the input arrays they name; the executor (lab 1's sandboxed
child of ``teaching/probe.py``, reached through :mod:`.executor`) runs the steps on the
student's files and returns only the values the steps keep. The step language:

    {"import": "layers.fc_layer"}
    {"new": NAME, "cls": "layers.fc_layer.FCLayer", "args": [...], "kwargs": {...}}
    {"call": "NAME.method", "args": [...], "kwargs": {...}, "keep": KEY}
    {"get": "NAME.attr", "keep": KEY}        {"set": "NAME.attr", "value": VALUE}
    {"batches": {"X": ARRAY, "y": ARRAY}, "size": 100, "epochs": 3, "seed": 0,
     "steps": [...]}      (binds the arrays "batch.X" and "batch.y" for each batch)

Values are JSON literals, ``{"array": NAME}`` (an input array), ``{"obj": NAME}`` (an
object made earlier) or ``{"kept": KEY}``. The reply: ``{"kept": {KEY: value}, "error":
None | {"step", "type", "message", "where", "line"}}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

Step = dict[str, Any]


@dataclass(frozen=True)
class Probe:
    """Steps, the arrays they read, and what the judge needs to know of them (kept in
    the parent: ``facts`` never reach the code under test)."""

    steps: list[Step]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    """What the executor sent back."""

    kept: dict[str, Any]
    error: dict[str, Any] | None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Reply:
        return cls(dict(d.get("kept") or {}), d.get("error"))


def array(name: str) -> dict[str, str]:
    return {"array": name}


def obj(name: str) -> dict[str, str]:
    return {"obj": name}


def kept(key: str) -> dict[str, str]:
    return {"kept": key}


def imports(*modules: str) -> list[Step]:
    return [{"import": m} for m in modules]


def new(name: str, cls: str, *args: Any, **kwargs: Any) -> Step:
    return {"new": name, "cls": cls, "args": list(args), "kwargs": kwargs}


def call(target: str, *args: Any, keep: str | None = None, **kwargs: Any) -> Step:
    step: Step = {"call": target, "args": list(args), "kwargs": kwargs}
    if keep is not None:
        step["keep"] = keep
    return step


def get(target: str, keep: str | None = None) -> Step:
    return {"get": target, "keep": keep or target}


def put(target: str, value: Any) -> Step:
    return {"set": target, "value": value}


def batches(X: str, y: str, size: int, epochs: int, seed: int, steps: list[Step]) -> Step:
    return {"batches": {"X": array(X), "y": array(y)}, "size": size, "epochs": epochs,
            "seed": seed, "steps": steps}
