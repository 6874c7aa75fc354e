"""The checks that run the student's code at full size: no Python loops and the speed of a
forward + gradient pass on 1,000 images, and a short training on MNIST the way the course's
Solver does it — the child trains, the parent measures the test accuracy of the W and b it
returns and compares it with the reference trained on the same batches from the same start.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import json
import shutil
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from .context import C, Context, D, Failed, course_problem
from .probe import batch_order, course_batch
from .reference import SGD, SoftmaxCrossEntropyLoss

SPEED_ROWS = 1000
REPEATS = 5
TOO_SLOW = 20.0  # × the reference's time per pass, with no loop over the rows
TRAIN_IMAGES = 55_000  # the course's training split: the first 55,000 images
EPOCHS, BATCH, LR, MOMENTUM, SEED = 3, 100, 0.1, 0.9, 0
BEHIND_POINTS = 0.5  # test-accuracy points the student's run may be behind


def check_vectorised(ctx: Context) -> str:
    """No Python loop in forward/gradient_computing (read from the file), and a pass not
    far slower than the reference's (the parent times the child's reply)."""
    loops = ctx.facts.loops
    if loops:
        first = loops[0]
        raise Failed(ctx.tr(
            f"vectorise: {first.file} line {first.line} has a Python loop ({first.what}) in "
            f"{first.where}; the lab asks for whole-array NumPy operations, no for loops"
            + (f" (+{len(loops) - 1} more)" if len(loops) > 1 else ""),
            f"请向量化：{first.file} 第 {first.line} 行在 {first.where} 中有 Python 循环"
            f"（{first.what}）；实验要求用整个数组的 NumPy 运算，不用 for 循环"
            + (f"（另有 {len(loops) - 1} 处）" if len(loops) > 1 else "")))
    p = course_problem(11, n=SPEED_ROWS)
    passes = [{"call": "model.forward", "args": [{"array": "X"}, {"array": "y"}]},
              {"call": "model.gradient_computing"}]
    build = ctx.model_steps(p)
    arrays = ctx.arrays(p)
    empty = ctx.run(build, arrays)
    full = ctx.run(build + passes * REPEATS, arrays)
    for reply in (empty, full):
        ctx.raise_error(reply, "forward or gradient_computing")
    mine = max(full.seconds - empty.seconds, 1e-6) / REPEATS
    ref = _reference_seconds()
    if mine > TOO_SLOW * ref:
        raise Failed(ctx.tr(
            f"{mine * 1e3:.1f} ms per forward + gradient on N = {SPEED_ROWS:,}, {mine / ref:.0f}× "
            f"the reference's {ref * 1e3:.2f} ms: look for work repeated for every call or "
            f"loops hidden in helpers",
            f"N = {SPEED_ROWS:,} 时每次 forward + 梯度 {mine * 1e3:.1f} ms，是参考实现 "
            f"{ref * 1e3:.2f} ms 的 {mine / ref:.0f} 倍：检查每次调用都重复的计算"
            f"或藏在辅助函数里的循环"))
    return ctx.tr(f"no loops; about {mine * 1e3:.1f} ms per forward + gradient on N = "
                  f"{SPEED_ROWS:,} (reference {ref * 1e3:.2f} ms)",
                  f"没有循环；N = {SPEED_ROWS:,} 时每次 forward + 梯度约 {mine * 1e3:.1f} ms"
                  f"（参考实现 {ref * 1e3:.2f} ms）")


@functools.cache
def _reference_seconds() -> float:
    p = course_problem(11, n=SPEED_ROWS)
    model = SoftmaxCrossEntropyLoss(D, C)
    model.W, model.b = p.W.copy(), p.b.copy()
    best = np.inf
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(REPEATS):
            start = time.perf_counter()
            model.forward(p.X, p.y)
            model.gradient_computing()
            best = min(best, time.perf_counter() - start)
    return best


@dataclass(frozen=True)
class TrainingData:
    """The end-to-end check's data: training arrays saved once (shared by every folder),
    the test split in memory, the reference's accuracy."""

    tag: str  # the arrays are train_X_<tag>.npy and train_y_<tag>.npy in shared_folder()
    X_test: np.ndarray
    y_test: np.ndarray
    name: str
    reference_accuracy: float
    W0: np.ndarray
    b0: np.ndarray
    images: int


_lock = threading.Lock()
_cache: dict[str | None, Future[TrainingData]] = {}
_folder: list[Path] = []


def shared_folder() -> Path:
    """Where the training arrays are saved (one folder per process, bound read-only into
    every sandbox as ``/shared``)."""
    with _lock:
        if not _folder:
            _folder.append(Path(tempfile.mkdtemp(prefix="softmax-mnist-train-")))
            atexit.register(shutil.rmtree, _folder[0], True)
        return _folder[0]


def start_training_data(data_dir: str | None) -> None:
    """Load MNIST and train the reference in the background, while the other checks run."""
    folder = shared_folder()
    with _lock:
        if data_dir not in _cache:
            _cache[data_dir] = ThreadPoolExecutor(1).submit(_prepare, data_dir, folder)


def training_data(data_dir: str | None) -> TrainingData:
    """Load MNIST (the full set if found, else the bundled sample) once per process."""
    start_training_data(data_dir)
    return _cache[data_dir].result()


def _prepare(data_dir: str | None, folder: Path) -> TrainingData:
    from ..data import load_dataset

    data = load_dataset("mnist", data_dir, allow_download=False, progress=False,
                        log=lambda message: None)
    X = np.ascontiguousarray(data.X_train[:TRAIN_IMAGES], dtype=np.uint8)  # pixels
    y = data.y_train[:TRAIN_IMAGES].astype(np.uint8)
    tag = f"{abs(hash(data_dir)):x}"
    np.save(folder / f"train_X_{tag}.npy", X)
    np.save(folder / f"train_y_{tag}.npy", y)
    rng = np.random.default_rng(SEED)
    W0 = rng.normal(0, np.sqrt(2 / (D + C)) * np.sqrt(2), (D, C))
    b0 = np.zeros(C)
    X_test = course_batch(data.X_test)
    key = _key(X, y, X_test, data.y_test)
    accuracy = _remembered(key)
    if accuracy is None:
        accuracy = _train_reference(X, y, W0, b0, X_test, data.y_test)
        _remember(key, accuracy)
    return TrainingData(tag, X_test, data.y_test, data.name, accuracy, W0, b0, len(X))


def _train_reference(X: np.ndarray, y: np.ndarray, W0: np.ndarray, b0: np.ndarray,
                     X_test: np.ndarray, y_test: np.ndarray) -> float:
    """The reference's test accuracy after the end-to-end check's training."""
    model = SoftmaxCrossEntropyLoss(D, C)
    model.W, model.b = W0.copy(), b0.copy()
    sgd = SGD(model, LR, MOMENTUM)
    for rows in batch_order(len(X), BATCH, EPOCHS, SEED):
        model.forward(course_batch(X[rows]), y[rows])
        model.gradient_computing()
        sgd.step()
    return _accuracy(model.W, model.b, X_test, y_test)


REMEMBERED = "check-reference.json"
"""In the cache folder: the reference's accuracy by a digest of the data and the settings
(training it costs 1–2 s of every ``check``)."""


def _key(*arrays: np.ndarray) -> str:
    h = hashlib.sha1(f"{EPOCHS},{BATCH},{LR},{MOMENTUM},{SEED},2".encode())
    for a in arrays:
        h.update(np.ascontiguousarray(a).view(np.uint8).data)
    return h.hexdigest()


def _remembered(key: str) -> float | None:
    from ..data.fetch import cache_dir

    try:
        value = json.loads((cache_dir() / REMEMBERED).read_text(encoding="utf-8")).get(key)
    except (OSError, ValueError, AttributeError):
        return None
    return float(value) if isinstance(value, float) and 0 <= value <= 1 else None


def _remember(key: str, accuracy: float) -> None:
    from ..data.fetch import cache_dir
    from ..fileio import atomic_open

    path = cache_dir() / REMEMBERED
    known: dict[str, float] = {}
    with contextlib.suppress(OSError, ValueError):
        known = dict(json.loads(path.read_text(encoding="utf-8")))
    known = {**dict(list(known.items())[-7:]), key: accuracy}  # a few data sets at most
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_open(path, "w") as fh:
            json.dump(known, fh)


def _accuracy(W: np.ndarray, b: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    return float(((X @ W + b.reshape(-1)).argmax(axis=1) == y).mean())


def check_end_to_end(ctx: Context) -> str:
    """The course's loop — loss, acc = model.forward(images, labels);
    model.gradient_computing(); optimizer.step() — on MNIST in the child; the parent
    measures the test accuracy of the W and b it returns against the reference's."""
    from ..errors import SoftmaxMnistError

    try:
        data = training_data(ctx.data_dir)
    except SoftmaxMnistError as exc:
        raise Failed(ctx.tr(f"no data to train on: {exc}",
                            f"没有可用于训练的数据：{exc}")) from None
    arrays = {"W": data.W0, "b": data.b0.reshape(ctx.facts.b_shape)}
    inner = [{"call": "model.forward", "args": [{"array": "batch.X"}, {"array": "batch.y"}]},
             {"call": "model.gradient_computing"}, {"call": "sgd.step"}]
    reply = ctx.run([{"import": "loss"}, {"import": "optimizer"},
                     {"new": "model", "cls": "loss.SoftmaxCrossEntropyLoss", "args": [D, C]},
                     {"set": "model.W", "value": {"copy": "W"}},
                     {"set": "model.b", "value": {"copy": "b"}},
                     {"new": "sgd", "cls": "optimizer.SGD", "args": [{"obj": "model"}, LR,
                                                                      MOMENTUM]},
                     {"batches": {"X": f"train_X_{data.tag}", "y": f"train_y_{data.tag}"},
                      "size": BATCH,
                      "epochs": EPOCHS, "seed": SEED, "images": "course", "steps": inner},
                     {"get": "model.W", "keep": "W"}, {"get": "model.b", "keep": "b"}],
                    arrays, files=(f"train_X_{data.tag}.npy", f"train_y_{data.tag}.npy"))
    ctx.raise_error(reply, "training")
    W, b = reply.kept.get("W"), reply.kept.get("b")
    where = ctx.tr(f"after {EPOCHS} epochs on {data.images:,} {data.name} training images "
                   f"(batch {BATCH}, lr {LR}, momentum {MOMENTUM})",
                   f"在 {data.images:,} 张 {data.name} 训练图像上训练 {EPOCHS} 轮后"
                   f"（批大小 {BATCH}，学习率 {LR}，动量 {MOMENTUM}）")
    if (not isinstance(W, np.ndarray) or W.shape != (D, C) or not isinstance(b, np.ndarray)
            or b.size != C):
        raise Failed(ctx.tr(f"after training, W or b no longer has its shape ({D}, {C}) / "
                            f"(1, {C})", f"训练后 W 或 b 的形状不再是 ({D}, {C}) / (1, {C})"))
    if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
        raise Failed(ctx.tr(f"W or b became NaN or inf {where} (the reference trains fine "
                            f"with the same settings)", f"{where}，W 或 b 变成了 NaN 或 inf"
                                                        f"（参考实现在同样设置下正常训练）"))
    acc = _accuracy(W, b, data.X_test, data.y_test)
    ref = data.reference_accuracy
    seconds = reply.seconds
    if acc < ref - BEHIND_POINTS / 100:
        raise Failed(ctx.tr(f"{acc:.2%} test accuracy {where}, the reference {ref:.2%}: more "
                            f"than {BEHIND_POINTS} points behind",
                            f"{where}测试准确率 {acc:.2%}，参考实现 {ref:.2%}：落后超过 "
                            f"{BEHIND_POINTS} 个百分点"))
    return ctx.tr(f"{acc:.2%} test accuracy {where}, the reference {ref:.2%}; {seconds:.1f} s",
                  f"{where}测试准确率 {acc:.2%}，参考实现 {ref:.2%}；用时 {seconds:.1f} 秒")
