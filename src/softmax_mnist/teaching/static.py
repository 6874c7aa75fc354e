"""What the parent learns from the student's files without running them (their AST): the
imports the lab does not allow, syntax errors, and Python loops in forward and
gradient_computing.

Allowed: NumPy, the standard library, and the student's own helper files in the folder.
Anything else (torch, tensorflow, sklearn, scipy.special, softmax_mnist — the reference
itself …) is reported with its file and line and stubbed in the child (:mod:`.probe`), so
an unused import does not hide every other result.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

FILES = {"loss.py": "SoftmaxCrossEntropyLoss", "optimizer.py": "SGD"}
"""File -> the class it must define."""
FRAMEWORKS = {"torch", "tensorflow", "keras", "jax", "sklearn", "scipy", "mxnet", "paddle",
              "mindspore", "theano", "cupy", "numba", "pandas", "softmax_mnist", "autograd",
              "chainer", "flax", "oneflow", "jittor"}
"""Imports reported as not allowed (the lab: NumPy only, no deep-learning frameworks)."""
HOT_METHODS = ("forward", "gradient_computing")
LOOPS = (ast.For, ast.While, ast.AsyncFor, ast.ListComp, ast.SetComp, ast.DictComp,
         ast.GeneratorExp)
LOOPING_CALLS = {"vectorize", "apply_along_axis", "frompyfunc", "map"}


@dataclass(frozen=True)
class Found:
    """Something found at ``file`` line ``line``: ``what`` (a module name, a loop kind)."""

    file: str
    line: int
    what: str
    where: str = ""  # the method it is in


@dataclass
class StaticFacts:
    """The folder's files read as text: syntax errors, imports, loops; the b shape seen."""

    syntax: dict[str, Found] = field(default_factory=dict)
    forbidden: list[Found] = field(default_factory=list)  # frameworks, softmax_mnist
    missing: list[Found] = field(default_factory=list)  # not stdlib, not NumPy, not here
    loops: list[Found] = field(default_factory=list)
    b_shape: tuple[int, ...] = (1, 10)

    @property
    def stubs(self) -> tuple[str, ...]:
        names = {f.what.split(".")[0] for f in (*self.forbidden, *self.missing)}
        return tuple(sorted(names | {"softmax_mnist"}))


def _allowed(top: str, folder: Path) -> bool:
    return (top == "numpy" or top in sys.stdlib_module_names or (folder / f"{top}.py").is_file()
            or (folder / top / "__init__.py").is_file())


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module))
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and ((isinstance(node.func, ast.Name) and node.func.id == "__import__")
                   or (isinstance(node.func, ast.Attribute)
                       and node.func.attr == "import_module"))):
            out.append((node.lineno, node.args[0].value))
    return out


def _method_loops(tree: ast.Module, file: str) -> list[Found]:
    """Loops in SoftmaxCrossEntropyLoss.forward/gradient_computing and in what they call
    (methods of the class and functions of the file, by name)."""
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    methods: dict[str, ast.FunctionDef] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == FILES["loss.py"]:
            methods = {n.name: n for n in node.body if isinstance(n, ast.FunctionDef)}
    todo = [(name, methods[name]) for name in HOT_METHODS if name in methods]
    seen: set[str] = set()
    found = []
    while todo:
        name, fn = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        for node in ast.walk(fn):
            if isinstance(node, LOOPS):
                found.append(Found(file, node.lineno, type(node).__name__, name))
            elif isinstance(node, ast.Call):
                callee = node.func
                if isinstance(callee, ast.Attribute):
                    if callee.attr in LOOPING_CALLS:
                        found.append(Found(file, node.lineno, callee.attr, name))
                    if (isinstance(callee.value, ast.Name) and callee.value.id == "self"
                            and callee.attr in methods):
                        todo.append((callee.attr, methods[callee.attr]))
                elif isinstance(callee, ast.Name):
                    if callee.id in LOOPING_CALLS:
                        found.append(Found(file, node.lineno, callee.id, name))
                    if callee.id in functions:
                        todo.append((callee.id, functions[callee.id]))
    return sorted(set(found), key=lambda f: f.line)


def read_folder(folder: Path) -> StaticFacts:
    """Parse loss.py, optimizer.py and the helper files they import from the folder."""
    facts = StaticFacts()
    todo = [name for name in FILES if (folder / name).is_file()]
    done: set[str] = set()
    while todo:
        name = todo.pop(0)
        if name in done:
            continue
        done.add(name)
        try:
            source = (folder / name).read_text(encoding="utf-8", errors="replace")
            tree = ast.parse(source, filename=name)
        except SyntaxError as exc:
            facts.syntax[name] = Found(name, exc.lineno or 0, str(exc.msg))
            continue
        except (OSError, ValueError) as exc:
            facts.syntax[name] = Found(name, 0, str(exc))
            continue
        for line, module in _imports(tree):
            top = module.split(".")[0]
            if (folder / f"{top}.py").is_file():
                todo.append(f"{top}.py")
            if _allowed(top, folder):
                continue
            target = facts.forbidden if top in FRAMEWORKS else facts.missing
            target.append(Found(name, line, module))
        if name == "loss.py":
            facts.loops = _method_loops(tree, name)
    return facts
