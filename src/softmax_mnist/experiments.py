"""Studies: grids of training runs defined in TOML, run in parallel, one record per run.

A *study* (``studies/*.toml``) is a base configuration plus either a list of labelled
variants (``[[runs]]``) or a grid over one or two options (``[grid]``). Besides the
TrainConfig options, a run may set the model: ``preprocess`` (``--preprocess`` text such
as ``"deskew,pca:50"``), ``hidden`` (a list of layer sizes) and ``activation``; an
``ablation`` study compares such runs in one table (features, parameters, seconds,
validation and test accuracy). It expands to
:class:`RunSpec` s — one per variant and seed — which are independent, so they run in
parallel: in worker processes with joblib (loky), or on a Dask cluster. Identical runs
requested by several studies are trained once.

The data set is loaded once in the parent. With loky it is written once to a temporary
folder and memory-mapped by every worker; with Dask it is scattered to the workers once.
Each worker preprocesses it once and keeps the features for its following runs.
"""

from __future__ import annotations

import difflib
import itertools
import math
import os
import shutil
import sys
import tempfile
import time
import tomllib
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .callbacks import Callback
from .config import TrainConfig, reject_unknown
from .data import Dataset
from .errors import ConfigError
from .model import Network
from .preprocessing import Pipeline
from .solver import Solver

KINDS = ("baseline", "compare", "grid", "ablation")
REPORT_STUDIES = ("baseline", "momentum", "batch-lr", "epochs",
                  "preprocessing")  # in report order
MODEL_KEYS = ("preprocess", "hidden", "activation")  # run options that are not TrainConfig
STUDY_KEYS = ("name", "question", "kind", "title", "center", "base", "runs", "grid",
              "checkpoints", "thresholds", "quick")
QUICK_KEYS = ("base", "grid", "checkpoints", "thresholds", "runs")  # runs: labels to keep
ITERATION_POINTS = 400  # per-iteration losses are returned as at most this many block means
BACKENDS = ("loky", "dask")
SHORT_NAMES = {"batch_size": "batch", "learning_rate": "lr", "max_epoch": "epochs",
               "lr_decay": "decay", "weight_decay": "L2"}  # for grid labels


# -- study definitions --------------------------------------------------------------------

@dataclass(frozen=True)
class Variant:
    """One setting of a study: a label and the TrainConfig options it sets."""

    label: str
    options: dict[str, Any]
    coords: tuple[Any, ...] = ()  # grid coordinates, in the order of Study.grid


@dataclass(frozen=True)
class Study:
    """A study read from TOML. ``variants`` are expanded from ``runs`` or ``grid``."""

    name: str
    kind: str
    question: str
    base: dict[str, Any]
    variants: tuple[Variant, ...]
    grid: dict[str, list[Any]] = field(default_factory=dict)
    checkpoints: tuple[int, ...] = ()
    thresholds: tuple[float, ...] = ()
    center: str = "pixel"
    title: str = ""
    source: str = ""

    def config(self, variant: Variant, seed: int) -> TrainConfig:
        """The TrainConfig of ``variant`` with ``seed`` (the seed in the file is an offset)."""
        options = {k: v for k, v in {**self.base, **variant.options}.items()
                   if k not in MODEL_KEYS}
        options["seed"] = int(options.get("seed", 0)) + seed
        return TrainConfig.from_dict(options)

    def spec(self, variant: Variant, seed: int) -> RunSpec:
        """What to train for ``variant`` and ``seed``: config, preprocessing and model."""
        model = {k: v for k, v in {**self.base, **variant.options}.items() if k in MODEL_KEYS}
        return RunSpec(self.config(variant, seed), self.center,
                       keep_model=self.kind == "baseline",
                       preprocess=str(model.get("preprocess", "")),
                       hidden=tuple(model.get("hidden", ())),
                       activation=str(model.get("activation", "relu")))

    def specs(self, seeds: int) -> list[RunSpec]:
        """One RunSpec per variant and seed (seeds 0 … seeds-1, added to the file's seed)."""
        return [self.spec(v, s) for v in self.variants for s in range(seeds)]

    @property
    def reference(self) -> dict[str, Any]:
        """For a grid: each axis' base value (or its middle value if the base is not on it)."""
        defaults = TrainConfig(**{k: v for k, v in self.base.items()
                                  if k in TrainConfig.__dataclass_fields__})
        ref = {}
        for axis, values in self.grid.items():
            base = getattr(defaults, axis)
            ref[axis] = base if base in values else values[len(values) // 2]
        return ref


def study_names() -> list[str]:
    """Names of the studies shipped with the package."""
    folder = resources.files("softmax_mnist.studies")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_study(name: str, path: str | os.PathLike[str] | None = None, *,
               quick: bool = False) -> Study:
    """Read a study: the packaged ``studies/NAME.toml``, or the TOML file at ``path``.

    With ``path``, a file without ``name``/``kind`` takes them from ``name`` and the
    packaged study of that name. ``quick`` applies the file's ``[quick]`` overrides.
    Every mistake (unknown study, bad TOML, unknown key) is a ConfigError.
    """
    builtin = study_names()
    if path is None:
        if name not in builtin:
            close = difflib.get_close_matches(name, builtin, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"unknown study {name!r}.{hint} Studies: {', '.join(builtin)}.")
        text = resources.files("softmax_mnist.studies").joinpath(f"{name}.toml").read_text(
            encoding="utf-8")
        source = f"studies/{name}.toml"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read study file {path}: {exc.strerror or exc}.") from None
        source = str(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc}).") from None
    if path is not None and name in builtin:  # an edited copy of a packaged study
        packaged = load_study(name)
        raw.setdefault("kind", packaged.kind)
        raw.setdefault("question", packaged.question)
    raw.setdefault("name", name)
    return parse_study(raw, source, quick=quick)


def parse_study(raw: dict[str, Any], source: str = "<dict>", *, quick: bool = False) -> Study:
    """Validate a study read from TOML (see :func:`load_study`)."""
    reject_unknown(raw, STUDY_KEYS, "key", source)
    quick_over = raw.get("quick", {})
    _check_table(quick_over, source, "quick")
    reject_unknown(quick_over, QUICK_KEYS, "key in [quick]", source)
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ConfigError(f"{source}: kind must be one of {', '.join(KINDS)}, got {kind!r}.")
    base = dict(raw.get("base", {}))
    _check_table(base, source, "base")
    grid = raw.get("grid", {})
    checkpoints = raw.get("checkpoints", [])
    thresholds = raw.get("thresholds", [0.9, 0.92])
    if quick:
        base.update(quick_over.get("base", {}))
        grid = quick_over.get("grid", grid)
        checkpoints = quick_over.get("checkpoints", checkpoints)
        thresholds = quick_over.get("thresholds", thresholds)
    _check_config(base, source, "[base]")
    variants = _variants(raw, kind, base, grid, source)
    if quick and "runs" in quick_over:
        variants = _keep(variants, quick_over["runs"], source)
    study = Study(name=str(raw["name"]), kind=kind, question=str(raw.get("question", "")),
                  base=base, variants=variants, grid=dict(grid),
                  checkpoints=tuple(_positive_ints(checkpoints, source, "checkpoints")),
                  thresholds=tuple(_fractions(thresholds, source)),
                  center=str(raw.get("center", "pixel")), title=str(raw.get("title", "")),
                  source=source)
    Pipeline.default(study.center)  # validates center
    for variant in study.variants:  # every run's options, validated before any work
        _check_model(study.spec(variant, 0), source, variant.label)
    return study


def _keep(variants: tuple[Variant, ...], labels: Any, source: str) -> tuple[Variant, ...]:
    """The variants named in ``[quick] runs``, in the file's order."""
    known = [v.label for v in variants]
    if not isinstance(labels, list) or not labels:
        raise ConfigError(f"{source}: [quick] runs must be a list of run labels, got "
                          f"{labels!r}.")
    reject_unknown(labels, known, "run label in [quick] runs", source)
    return tuple(v for v in variants if v.label in labels)


def _variants(raw: dict[str, Any], kind: str, base: dict[str, Any],
              grid: dict[str, Any], source: str) -> tuple[Variant, ...]:
    if kind == "grid":
        _check_table(grid, source, "grid")
        if not 1 <= len(grid) <= 2:
            raise ConfigError(f"{source}: [grid] needs one or two options with lists of "
                              f"values, got {len(grid)}.")
        _check_config({k: v[0] if isinstance(v, list) and v else v for k, v in grid.items()},
                      source, "[grid]")
        for axis, values in grid.items():
            if not isinstance(values, list) or not values or len(set(map(repr, values))) < len(
                    values):
                raise ConfigError(f"{source}: grid option {axis!r} needs a list of distinct "
                                  f"values, got {values!r}.")
        axes = list(grid)
        combos = [()]
        for axis in axes:
            combos = [(*c, v) for c in combos for v in grid[axis]]
        return tuple(Variant(", ".join(f"{SHORT_NAMES.get(a, a)} {v:g}" if isinstance(
                                 v, float) else f"{SHORT_NAMES.get(a, a)} {v}"
                                       for a, v in zip(axes, c, strict=True)),
                             dict(zip(axes, c, strict=True)), c) for c in combos)
    runs = raw.get("runs", [{"label": "default"}] if kind == "baseline" else [])
    if not isinstance(runs, list) or not runs or not all(isinstance(r, dict) for r in runs):
        raise ConfigError(f"{source}: a {kind!r} study needs [[runs]] tables "
                          f"(each with a label and options).")
    if kind == "baseline" and len(runs) != 1:
        raise ConfigError(f"{source}: a baseline study has exactly one run, got {len(runs)}.")
    variants = []
    for i, run in enumerate(runs, 1):
        options = {k: v for k, v in run.items() if k != "label"}
        _check_config(options, source, f"[[runs]] #{i}")
        variants.append(Variant(str(run.get("label", f"run {i}")), options))
    labels = [v.label for v in variants]
    if len(set(labels)) < len(labels):
        raise ConfigError(f"{source}: run labels must differ, got {labels}.")
    return tuple(variants)


def _check_table(value: Any, source: str, name: str) -> None:
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: {name!r} must be a table, got {value!r}.")


def _check_model(spec: RunSpec, source: str, label: str) -> None:
    """The model options of one run: preprocessing text, hidden sizes, activation."""
    from .layers import ACTIVATIONS

    try:
        Pipeline.build(spec.preprocess, spec.center)
    except ConfigError as exc:
        raise ConfigError(f"{source} run {label!r}: {exc}") from None
    if not all(isinstance(h, int) and not isinstance(h, bool) and h >= 1
               for h in spec.hidden):
        raise ConfigError(f"{source} run {label!r}: hidden must be a list of layer sizes "
                          f"≥ 1 such as [256], got {list(spec.hidden)!r}.")
    if spec.activation not in ACTIVATIONS:
        raise ConfigError(f"{source} run {label!r}: activation must be one of "
                          f"{', '.join(ACTIVATIONS)}, got {spec.activation!r}.")


def _check_config(options: dict[str, Any], source: str, where: str) -> None:
    try:
        TrainConfig.from_dict({k: v for k, v in options.items()
                               if k != "seed" and k not in MODEL_KEYS})
    except ConfigError as exc:
        raise ConfigError(f"{source} {where}: {exc}") from None
    except TypeError as exc:
        raise ConfigError(f"{source} {where}: {exc}") from None


def _positive_ints(values: Any, source: str, name: str) -> list[int]:
    if not isinstance(values, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in values):
        raise ConfigError(f"{source}: {name} must be a list of whole numbers ≥ 1, "
                          f"got {values!r}.")
    return sorted(set(values))


def _fractions(values: Any, source: str) -> list[float]:
    if not isinstance(values, list) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < 1
            for v in values):
        raise ConfigError(f"{source}: thresholds must be a list of accuracies in (0, 1) "
                          f"such as [0.9, 0.92], got {values!r}.")
    return sorted({float(v) for v in values})


# -- one run ------------------------------------------------------------------------------

@dataclass(frozen=True)
class RunSpec:
    """What a worker trains: a TrainConfig (seed included) and the preprocessing.

    ``keep_model`` returns the weights and test predictions (for the diagnostics).
    """

    config: TrainConfig
    center: str = "pixel"
    keep_model: bool = False
    preprocess: str = ""
    hidden: tuple[int, ...] = ()
    activation: str = "relu"

    @property
    def key(self) -> str:
        """Identical runs share a key (and are trained once)."""
        items = sorted(self.config.to_dict().items())
        model = "" if not (self.preprocess or self.hidden) else (
            f"{self.preprocess}|{list(self.hidden)}|{self.activation}|")
        return f"{self.center}|{model}" + ",".join(f"{k}={v!r}" for k, v in items)

    def cost(self, n_train: int) -> float:
        """Rough seconds, for scheduling long runs first: per-step and per-image costs
        (an MLP's per-image cost grows with its weights, relative to 784 × 10)."""
        steps = math.ceil(n_train / self.config.batch_size)
        sizes = [784, *self.hidden, 10]
        weights = sum(a * b for a, b in itertools.pairwise(sizes)) / 7840
        return self.config.max_epoch * (steps * 6e-5 + n_train * 2.5e-6 * weights)


class TestCurve(Callback):
    """Test loss and accuracy after every epoch: reported, never used to choose anything."""

    def __init__(self, X: np.ndarray, y: np.ndarray,
                 transform: Pipeline | Callable[[np.ndarray], np.ndarray] | None):
        self.X, self.y = X, y
        self.transform = transform.transform if isinstance(transform, Pipeline) else transform
        self.points: list[tuple[float, float]] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, float], network: Network) -> bool:
        self.points.append(network.evaluate(self.X, self.y, self.transform))
        return False


_PIPELINES: dict[tuple[str, str, str], Prepared] = {}


@dataclass
class Prepared:
    """A fitted pipeline and the splits as the Solver takes them: uint8 images with a
    per-batch ``transform`` when every step is cheap, else precomputed features."""

    pipeline: Pipeline
    splits: dict[str, tuple[np.ndarray, np.ndarray]]
    transform: Callable[[np.ndarray], np.ndarray] | None
    seconds: float


def data_key(data: Dataset) -> str:
    """A fingerprint of a data set's content, so workers can cache its preprocessing."""
    crc = 0
    for array in (data.X_train, data.y_train, data.X_val, data.y_val, data.X_test,
                  data.y_test):
        crc = zlib.crc32(np.ascontiguousarray(array).data, crc)
    return f"{data.name}:{len(data.y_train)}:{len(data.y_val)}:{len(data.y_test)}:{crc:08x}"


def _prepare(data: Dataset, spec: RunSpec, key: str) -> Prepared:
    """The preprocessing fitted on the training split, cached per worker for its next runs."""
    cache_key = (key, spec.center, spec.preprocess)
    if cache_key not in _PIPELINES:
        _PIPELINES.clear()  # one data set and pipeline at a time
        started = time.perf_counter()
        pipeline = Pipeline.build(spec.preprocess, spec.center)
        # the images stay uint8 (memory-mapped from the parent) when features are cheap
        splits = {name: (np.asarray(getattr(data, f"X_{name}")), getattr(data, f"y_{name}"))
                  for name in ("train", "val", "test")}
        pipeline.fit(splits["train"][0])
        transform = pipeline.transform
        if not pipeline.cheap:  # fitted on train above; every split transformed once
            splits = {name: (pipeline.transform(X), y) for name, (X, y) in splits.items()}
            transform = None
        _PIPELINES[cache_key] = Prepared(pipeline, splits, transform,
                                         time.perf_counter() - started)
    return _PIPELINES[cache_key]


def run_one(spec: RunSpec, data: Dataset, fingerprint: str) -> dict[str, Any]:
    """Train one run; returns its record (plain lists and floats, NaN as None).

    Record keys: ``config``, ``epochs_run``, ``diverged``, ``stop_reason``, ``best_epoch``,
    ``train_seconds``, ``history`` (per epoch: train/val/test loss and accuracy, lr,
    seconds), ``iteration_loss`` (block means of the mini-batch losses, at most
    ITERATION_POINTS) with ``iterations_per_point``, ``final`` (train/val/test loss and
    accuracy of the final weights) and, with ``keep_model``, ``model``:
    ``W`` (784, 10), ``b`` (10,), ``test_pred`` (N_test,).
    """
    prepared = _prepare(data, spec, fingerprint)
    splits, transform = prepared.splits, prepared.transform
    (X_train, y_train), (X_val, y_val) = splits["train"], splits["val"]
    X_test, y_test = splits["test"]
    num_features = prepared.pipeline.output_size(X_train.shape[1]) if transform else (
        X_train.shape[1])
    network = Network.build(num_features, len(data.classes), spec.hidden, spec.activation,
                            seed=spec.config.seed)
    curve = TestCurve(X_test, y_test, transform)
    solver = Solver(network, X_train, y_train, X_val, y_val, spec.config,
                    transform=transform, progress=False, callbacks=[curve])
    history = solver.train()
    h = history.history
    n = history.epochs_run
    final = {}
    for split, (X, y) in splits.items():
        final[f"{split}_loss"], final[f"{split}_accuracy"] = network.evaluate(X, y, transform)
    losses, per_point = block_means(history.iteration_loss, ITERATION_POINTS)
    record = {
        "config": spec.config.to_dict(), "center": spec.center, "epochs_run": n,
        "diverged": history.diverged, "stop_reason": history.stop_reason,
        "best_epoch": history.best_epoch, "train_seconds": solver.train_seconds,
        "history": {**{k: list(v) for k, v in h.items()},
                    "test_loss": [t[0] for t in curve.points[:n]],
                    "test_accuracy": [t[1] for t in curve.points[:n]]},
        "iteration_loss": losses, "iterations_per_point": per_point,
        "final": final,
        "model_info": {"spec": prepared.pipeline.spec, "hidden": list(spec.hidden),
                       "features": num_features, "parameters": network.num_parameters,
                       "preprocess_seconds": prepared.seconds,
                       "step_values": _step_values(prepared.pipeline)},
    }
    record = finite(record)
    if spec.keep_model:
        fc = network.fc_layers[0]
        test_pred = network.logits(X_test, transform).argmax(axis=1)
        record["model"] = {"W": fc.params["W"].copy(), "b": fc.params["b"].copy(),
                           "test_pred": test_pred.astype(np.uint8)}
    return record


def _step_values(pipeline: Pipeline) -> list[float]:
    """The numbers in a pipeline's spec (``pca:50`` -> 50), as data for the report."""
    return [float(t.split(":")[1]) for t in pipeline.spec.split(",") if ":" in t]


def block_means(values: Sequence[float], points: int) -> tuple[list[float], int]:
    """Average consecutive blocks so that at most ``points`` values remain.

    Returns (means, block length). Non-finite values are left out of their block.
    """
    v = np.asarray(values, dtype=np.float64)
    if len(v) == 0:
        return [], 1
    size = max(1, math.ceil(len(v) / points))
    pad = (-len(v)) % size
    blocks = np.concatenate([v, np.full(pad, np.nan)]).reshape(-1, size)
    with np.errstate(invalid="ignore"):
        means = np.nanmean(np.where(np.isfinite(blocks), blocks, np.nan), axis=1)
    return [float(m) for m in means], size


def finite(obj: Any) -> Any:
    """Replace non-finite floats by None, recursively (JSON has no NaN)."""
    if isinstance(obj, float | np.floating):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [finite(v) for v in obj]
    return obj


# -- running many -------------------------------------------------------------------------

def unique_specs(studies: Iterable[Study], seeds: int) -> list[RunSpec]:
    """All runs of the studies, each distinct run once (keep_model if any study wants it)."""
    by_key: dict[str, RunSpec] = {}
    for study in studies:
        for spec in study.specs(seeds):
            old = by_key.get(spec.key)
            by_key[spec.key] = spec if old is None else replace(
                old, keep_model=old.keep_model or spec.keep_model)
    return list(by_key.values())


def execute(specs: Sequence[RunSpec], data: Dataset, *, jobs: int | None = None,
            backend: str = "loky", scheduler: str | None = None,
            progress: bool = True) -> dict[str, dict[str, Any]]:
    """Run every spec; returns {spec.key: record}. Longest runs are started first.

    Args:
        jobs: parallel workers (None or -1: all cores; 1: in this process).
        backend: "loky" (joblib worker processes) or "dask".
        scheduler: a Dask scheduler address (tcp://host:port); without it, "dask"
            starts a local cluster with ``jobs`` workers.
        progress: a progress bar over runs on stderr.
    """
    if backend not in BACKENDS:
        raise ConfigError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}.")
    if scheduler and backend != "dask":
        raise ConfigError("--scheduler is a Dask scheduler address: add --backend dask.")
    n_jobs = _n_jobs(jobs)
    order = sorted(specs, key=lambda s: -s.cost(len(data.y_train)))
    key = data_key(data)
    runner = _run_dask if backend == "dask" else _run_loky
    records: dict[str, dict[str, Any]] = {}
    with _progress_bar(len(order), progress) as tick:
        for spec, record in runner(order, data, key, n_jobs, scheduler):
            records[spec.key] = record
            tick()
    return records


def _n_jobs(jobs: int | None) -> int:
    if jobs is None or jobs == -1:
        return os.cpu_count() or 1
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ConfigError(f"--jobs must be a whole number ≥ 1 (or -1 for all cores), "
                          f"got {jobs!r}.")
    return jobs


def _run_loky(specs: Sequence[RunSpec], data: Dataset, key: str, n_jobs: int,
              scheduler: str | None) -> Iterator[tuple[RunSpec, dict[str, Any]]]:
    if n_jobs == 1 or len(specs) == 1:
        for spec in specs:
            yield spec, run_one(spec, data, key)
        return
    from joblib import Parallel, delayed

    folder = tempfile.mkdtemp(prefix="softmax-mnist-data-")
    try:
        shared = _memmapped(data, Path(folder))
        parallel = Parallel(n_jobs=min(n_jobs, len(specs)), backend="loky", batch_size=1,
                            pre_dispatch="all", return_as="generator")
        yield from zip(specs, parallel(delayed(run_one)(s, shared, key) for s in specs),
                       strict=True)
    finally:
        _PIPELINES.clear()
        shutil.rmtree(folder, ignore_errors=True)


def _memmapped(data: Dataset, folder: Path) -> Dataset:
    """The same Dataset with its arrays in .npy files, memory-mapped read-only: joblib
    sends memory maps to workers by file name instead of copying the arrays."""
    arrays = {}
    for name in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test"):
        path = folder / f"{name}.npy"
        np.save(path, np.asarray(getattr(data, name)))
        arrays[name] = np.load(path, mmap_mode="r")
    return replace(data, **arrays)


def _run_dask(specs: Sequence[RunSpec], data: Dataset, key: str, n_jobs: int,
              scheduler: str | None) -> Iterator[tuple[RunSpec, dict[str, Any]]]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ConfigError("--backend dask needs Dask: pip install 'softmax-mnist[dask]'."
                          ) from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout=15)
        else:
            cluster = LocalCluster(n_workers=n_jobs, threads_per_worker=1,
                                   host="127.0.0.1", dashboard_address=None)
            client = Client(cluster)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        shared = client.scatter(data, broadcast=True)
        futures = client.map(run_one, specs, data=shared, fingerprint=key, pure=False)
        spec_of = {f.key: s for f, s in zip(futures, specs, strict=True)}
        for future in as_completed(futures):
            yield spec_of[future.key], future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _progress_bar:
    """``with _progress_bar(n, on) as tick: tick()`` — a tqdm bar over finished runs."""

    def __init__(self, total: int, enabled: bool):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, desc="runs", unit="run", file=sys.stderr,
                        disable=None if enabled else True, dynamic_ncols=True)
        self.started = time.perf_counter()

    def __enter__(self) -> Callable[[], None]:
        return lambda: self.bar.update(1)

    def __exit__(self, *exc: object) -> None:
        self.bar.close()
