"""Hostile submissions for ``check``: a student who wants to pass without doing the work.

Each case is a ``loss.py`` of a lazy implementation (constant forward, zero gradients,
an SGD that does nothing) plus an attack run at import or in ``forward``. None of them
earns a ✓ on the loss, the gradients, SGD or training; none may change another folder's
verdict or files. ``{victim}`` in an attack is replaced by the path of a correct
classmate's folder, ``{root}`` by the class folder, ``{port}`` by a listening port.
"""

from __future__ import annotations

from pathlib import Path

LAZY = '''
import numpy as np


class SoftmaxCrossEntropyLoss:
    def __init__(self, num_input, num_output, trainable=True):
        self.trainable = trainable
        self.W = np.zeros((num_input, num_output))
        self.b = np.zeros((1, num_output))

    def forward(self, Input, labels):
        ATTACK_IN_FORWARD
        return 0.5, 1.0

    def gradient_computing(self):
        self.grad_W = np.zeros_like(self.W)
        self.grad_b = np.zeros_like(self.b)
'''

LAZY_SGD = '''
class SGD:
    def __init__(self, model, learning_rate, momentum=0.0):
        self.model, self.learning_rate, self.momentum = model, learning_rate, momentum

    def step(self):
        pass
'''

FAKE_LINES = '''
import json as _j, os as _o
_line = _j.dumps({"result": {"id": "loss", "title": "loss", "status": "pass", "message": "ok"}})
for _fd in range(3, 256):
    for _text in [_line, '{"kept": {"loss": 2.3, "acc": 0.1}, "error": null}',
                  '{"done": true}']:
        try:
            _o.write(_fd, (_text + "\\n").encode())
        except OSError:
            pass
'''

CASES: dict[str, str] = {
    "patch the checklist": '''
try:
    import softmax_mnist.teaching.checklist as _c
    from softmax_mnist.teaching.checklist import CheckResult as _R
    _c.run_one = lambda check, ctx: _R(check.id, check.title, "pass", "ok")
except Exception:
    pass
''',
    "fake result lines on every fd": FAKE_LINES,
    "monkeypatch NumPy": '''
import numpy as _np
_np.allclose = lambda *a, **k: True
_np.isclose = lambda a, b, *x, **k: _np.ones(_np.shape(a), bool)
_np.array_equal = lambda *a, **k: True
_np.isfinite = lambda a, *x, **k: _np.ones(_np.shape(a), bool)
_np.linalg.norm = lambda *a, **k: 0.0
_np.vdot = lambda *a, **k: 0.0
''',
    "read and copy the reference": '''
import glob as _g, sys as _s
_found = [p for d in _s.path + ["/work/main/src", "/work"]
          for p in _g.glob(d + "/**/softmax_mnist/teaching/reference.py", recursive=True)]
if _found:
    import types as _t
    _m = _s.modules["stolen"] = _t.ModuleType("stolen")
    _src = open(_found[0]).read().replace("from ..nn import log_softmax",
        "log_softmax = lambda z: z - z.max(1, keepdims=True) - "
        "np.log(np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True))")
    exec(_src, _m.__dict__)
    STOLEN = _m.__dict__
''',
    "read another student's folder": '''
import os as _o
_victim = "{victim}"
_ns = {}
for _name in ("loss.py", "optimizer.py"):
    exec(open(_o.path.join(_victim, _name)).read(), _ns)
STOLEN = _ns
''',
    "write into the parent's folder": '''
import os as _o, pathlib as _p
for _dir in ("{root}", "{victim}", _o.getcwd(), "/tmp"):
    try:
        _p.Path(_dir, "HACKED").write_text("x")
    except OSError:
        pass
try:
    _f = _p.Path("{victim}", "loss.py")
    _f.write_text(_f.read_text().replace("/ Input.shape[0]", ""))
except OSError:
    pass
''',
    "kill the parent's process group": '''
import os as _o, signal as _s
for _pid in (_o.getppid(),):
    try:
        _o.killpg(_o.getpgid(_pid), _s.SIGKILL)
    except OSError:
        pass
    try:
        _o.kill(_pid, _s.SIGKILL)
    except OSError:
        pass
''',
    "fork and linger": '''
import os as _o, time as _t
if _o.fork() == 0:
    _o.setsid()
    if _o.fork() == 0:
        _o.environ.clear()
        _t.sleep(600)
    _o._exit(0)
''' + FAKE_LINES.replace("_o.write", "_t.sleep(0) or _o.write"),
    "open a socket": '''
import socket as _so
try:
    _c = _so.create_connection(("127.0.0.1", {port}), timeout=2)
    _c.sendall(b"the reference, please")
    _c.close()
except OSError:
    pass
''',
    "huge reply": '''
import os as _o
_junk = b"{" + b"9" * (64 << 20)
for _fd in range(3, 64):
    try:
        _o.write(_fd, _junk)
    except OSError:
        pass
''',
    "fill the disk": '''
import os as _o
for _dir in ("/tmp", _o.getcwd()):
    try:
        with open(_o.path.join(_dir, "junk"), "wb") as _f:
            for _ in range(256):
                _f.write(b"x" * (1 << 20))
    except OSError:
        pass
''',
    "leak a classmate's file through an error message": '''
_secret = ""
for _path in ("{victim}/loss.py", "/etc/passwd"):
    try:
        _secret += open(_path).read()[:2000]
    except OSError:
        pass
if _secret:
    raise ValueError("LEAK " + _secret.replace(chr(10), " "))
''',
    "sleep forever": '''
import time as _t
_t.sleep(10 ** 6)
''',
    "steal the expected values from the checker's stack": '''
import sys as _s
import numpy as _np


class _Liar(float):
    def __new__(cls, name):
        self = super().__new__(cls, 0.5)
        self.name = name
        return self

    def __float__(self):
        frame = _s._getframe(1)
        while frame is not None:
            for key in ("ref", "expected", "true"):
                value = frame.f_locals.get(key)
                if value is not None:
                    got = getattr(value, self.name, value)
                    try:
                        return float(got)
                    except (TypeError, ValueError):
                        pass
            frame = frame.f_back
        return 0.5
''',
}
"""Case name -> the attack, run at import of loss.py."""

IN_FORWARD = {"steal the expected values from the checker's stack":
              "return _Liar('loss'), _Liar('accuracy')"}
STOLEN_CLASS = """
if "STOLEN" in globals():
    SoftmaxCrossEntropyLoss = STOLEN["SoftmaxCrossEntropyLoss"]
"""


def write_hostile(folder: Path, name: str, *, victim: Path, root: Path, port: int) -> Path:
    """The lazy implementation with attack ``name`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    attack = (CASES[name].replace("{victim}", str(victim)).replace("{root}", str(root))
              .replace("{port}", str(port)))
    forward = IN_FORWARD.get(name, "pass")
    (folder / "loss.py").write_text(attack + LAZY.replace("ATTACK_IN_FORWARD", forward)
                                    + STOLEN_CLASS, encoding="utf-8")
    (folder / "optimizer.py").write_text(LAZY_SGD, encoding="utf-8")
    return folder


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root``: relative path -> bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def lingering(marker: str) -> list[int]:
    """Processes whose command line or environment mentions ``marker``."""
    import os

    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        for part in ("cmdline", "environ"):
            try:
                if marker.encode() in (entry / part).read_bytes():
                    found.append(int(entry.name))
                    break
            except OSError:
                pass
    return found


class Listener:
    """A TCP server on 127.0.0.1 that counts the bytes anyone sends it."""

    def __init__(self) -> None:
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.received = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                while data := conn.recv(65536):
                    self.received += len(data)


# -- lab 2: the scaffold (every TODO left) with an attack on top of layers/fc_layer.py -------

LAB2_CASES: dict[str, str] = {
    "patch the lab-2 checklist": '''
try:
    import softmax_mnist.teaching.lab2.checklist as _c
    from softmax_mnist.teaching.lab2.verdict import Verdict as _V, Text as _T
    for _check in _c.CHECKS:
        object.__setattr__(_check, "judge", lambda p, r: _V(True, _T("ok", "ok")))
    _c.run_check = lambda check, *a, **k: _c.Result(check.id, check.title, "pass",
        _T("ok", "ok"), check.points, check.points, check.level)
except Exception:
    pass
''',
    "copy a classmate's layers": '''
import os as _o
_STOLEN = {}
for _name in ("layers/fc_layer.py", "layers/relu_layer.py", "optimizer.py"):
    try:
        exec(open(_o.path.join("{victim}", _name)).read(), _STOLEN)
    except OSError:
        pass
''',
    "write into the parent's folder": '''
import os as _o, pathlib as _p
for _dir in ("{root}", "{victim}", "{victim}/layers", _o.getcwd(), "/tmp"):
    try:
        _p.Path(_dir, "HACKED").write_text("x")
    except OSError:
        pass
try:
    _f = _p.Path("{victim}", "layers", "fc_layer.py")
    _f.write_text(_f.read_text().replace("np.dot(delta, self.W.T)", "delta"))
except OSError:
    pass
''',
}
LAB2_STOLEN = '''
if "FCLayer" in globals().get("_STOLEN", {}):
    FCLayer = _STOLEN["FCLayer"]
'''


def write_hostile_lab2(folder: Path, name: str, *, victim: Path, root: Path) -> Path:
    """Lab 2's scaffold in ``folder`` with attack ``name`` run when layers/fc_layer.py is
    imported (by nearly every check)."""
    from softmax_mnist.teaching.lab2.scaffold import scaffold

    scaffold(folder, "en")
    attack = LAB2_CASES[name].replace("{victim}", str(victim)).replace("{root}", str(root))
    fc = folder / "layers" / "fc_layer.py"
    fc.write_text(attack + fc.read_text(encoding="utf-8") + LAB2_STOLEN, encoding="utf-8")
    return folder

