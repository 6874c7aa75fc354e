"""Studies: grids of training runs defined in TOML, expanded into ``RunSpec`` s.

A *study* (``studies/*.toml``) is a base configuration plus either a list of labelled
variants (``[[runs]]``) or a grid over one or two options (``[grid]``). Besides the
TrainConfig options, a run may set the model: ``preprocess`` (``--preprocess`` text such
as ``"deskew,pca:50"``), ``hidden`` (a list of layer sizes), ``layers`` (``--layers``
text) and ``activation``, or start from a preset, ``model = "cnn"`` (its options, then the
study's ``[base]``, then the run's own); an ``ablation`` study compares such runs in one
table, in order — with ``ladder = true`` each against the one before it. Every option of
every run is checked against the option tables before anything trains.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..fileio import describe_os_error, printable
from ..model import MODEL_OPTIONS, ModelSpec
from ..presets import PRESETS
from ..training import TrainConfig
from ..training.options import Option, check_options, reject_unknown
from .run import RunSpec

KINDS = ("baseline", "compare", "grid", "ablation")
REPORT_STUDIES = ("baseline", "momentum", "batch-lr", "epochs",
                  "preprocessing", "ladder", "lab2")  # in report order
LAB_STUDIES = REPORT_STUDIES[:4]  # Q1–Q3, lab 1's questions: what `report` runs by default
EXTRA_STUDIES = REPORT_STUDIES[4:]  # Q4–Q6: `report --with NAME,…` or `--all` adds them
MODEL_KEYS = tuple(k for k in MODEL_OPTIONS if k != "center")  # per run; center is per study
PRESET_KEY = "model"  # a run's preset: PRESETS[name] gives its defaults
RUN_KEYS = (*(f.name for f in fields(TrainConfig)), *MODEL_KEYS, PRESET_KEY)
STUDY_OPTIONS = {
    "name": Option(str, "the study's name: its figures' and sections' prefix"),
    "question": Option(str, "the lab's question it answers, e.g. Q3"),
    "kind": Option(str, "how its runs are compared", choices=KINDS),
    "title": Option(str, "its heading in the report"),
    "center": Option(str, "the centring of every run", choices=MODEL_OPTIONS["center"].choices),
    "ladder": Option(bool, "an ablation whose runs build on each other, in order"),
}
"""The study file's plain keys; its tables and lists (below) are checked by their parsers."""
STUDY_TABLES = ("base", "runs", "grid", "quick")
STUDY_KEYS = (*STUDY_OPTIONS, *STUDY_TABLES, "checkpoints", "thresholds")
QUICK_KEYS = ("base", "grid", "checkpoints", "thresholds", "runs")  # runs: labels to keep
LABEL_KEYS = ("label", "label_zh")  # a run's label, and its label in the Chinese report
SHORT_NAMES = {"batch_size": "batch", "learning_rate": "lr", "max_epoch": "epochs",
               "lr_decay": "decay", "weight_decay": "L2"}  # for grid labels


# -- study definitions --------------------------------------------------------------------

@dataclass(frozen=True)
class Variant:
    """One setting of a study: a label and the TrainConfig options it sets."""

    label: str
    options: dict[str, Any]
    coords: tuple[Any, ...] = ()  # grid coordinates, in the order of Study.grid
    translations: dict[str, str] = field(default_factory=dict)  # {"zh": label_zh}


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
    ladder: bool = False  # an ablation whose runs build on each other, in order

    def _options(self, variant: Variant) -> dict[str, Any]:
        return {**self.base, **variant.options}

    def config(self, variant: Variant, seed: int) -> TrainConfig:
        """The TrainConfig of ``variant`` with ``seed`` (the seed in the file is an offset):
        its preset's options, then the study's, then the run's."""
        options = self._options(variant)
        preset = PRESETS[options.pop(PRESET_KEY, "linear")]
        train = {k: v for k, v in options.items() if k not in MODEL_KEYS}
        config = preset.train_config(train)
        return replace(config, seed=config.seed + seed)

    def model(self, variant: Variant) -> ModelSpec:
        """The ModelSpec of ``variant``: its preset's network, the study's centring, the
        run's model options."""
        options = self._options(variant)
        preset = PRESETS[options.pop(PRESET_KEY, "linear")]
        return preset.model_spec({"center": self.center,
                                  **{k: v for k, v in options.items() if k in MODEL_KEYS}})

    def spec(self, variant: Variant, seed: int) -> RunSpec:
        """What to train for ``variant`` and ``seed``."""
        return RunSpec(self.config(variant, seed), self.model(variant),
                       keep_weights=self.kind == "baseline")

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


MAX_STUDY_BYTES = 1 << 20  # a study file is a few hundred lines


def read_study_text(name: str, path: str | os.PathLike[str] | None = None) -> tuple[str, str]:
    """The TOML text of the packaged study ``name`` or of the file at ``path``, and where
    it came from; ConfigError if there is none or it cannot be read as UTF-8 text."""
    if path is None:
        builtin = study_names()
        if name not in builtin:
            close = difflib.get_close_matches(name, builtin, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"unknown study {name!r}.{hint} Studies: {', '.join(builtin)}.")
        text = resources.files("softmax_mnist.studies").joinpath(f"{name}.toml").read_text(
            encoding="utf-8")
        return text, f"studies/{name}.toml"
    where = printable(path)
    try:
        file = Path(path)
        if not file.is_file():
            raise ConfigError(f"cannot read study file {where}: "
                              f"{'not a regular file' if file.exists() else 'no such file'}.")
        if file.stat().st_size > MAX_STUDY_BYTES:
            raise ConfigError(f"study file {where} is over {MAX_STUDY_BYTES >> 20} MB; a study "
                              f"is a short TOML file.")
        return file.read_text(encoding="utf-8"), where
    except UnicodeDecodeError as exc:
        raise ConfigError(f"study file {where} is not UTF-8 text (byte {exc.start}); save it "
                          f"as UTF-8.") from None
    except OSError as exc:
        raise ConfigError(f"cannot read study file {where}: {describe_os_error(exc)}.") \
            from None


def load_study(name: str, path: str | os.PathLike[str] | None = None, *,
               quick: bool = False, text: str | None = None) -> Study:
    """Read a study: the packaged ``studies/NAME.toml``, or the TOML file at ``path`` (or
    its ``text``, as read before by :func:`read_study_text`).

    With ``path``, a file without ``name``/``kind`` takes them from ``name`` and the
    packaged study of that name; a file naming another study than the packaged ``name``
    asked for is refused (it would run that study instead). ``quick`` applies the file's
    ``[quick]`` overrides. Every mistake (unknown study, bad TOML, unknown key) is a
    ConfigError.
    """
    if text is None:
        text, source = read_study_text(name, path)
    else:
        source = printable(path) if path is not None else f"studies/{name}.toml"
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc}).") from None
    except RecursionError:
        raise ConfigError(f"{source}: not valid TOML (nested too deeply).") from None
    if (path is not None and name in study_names() and isinstance(raw.get("name"), str)
            and raw["name"] != name):  # `experiment batch-lr --config momentum.toml`
        raise ConfigError(f"{source} holds the study {raw['name']!r}, not {name!r}: run "
                          f"`softmax-mnist experiment {raw['name']} --config {source}`, or "
                          f"change name in the file.")
    if path is not None and name in study_names():  # an edited copy of a packaged study
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
    try:
        check_options({"kind": kind, **raw}, STUDY_OPTIONS)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    if raw.get("ladder") and kind != "ablation":
        raise ConfigError(f"{source}: only an ablation study is a ladder (ladder = true).")
    if not raw["name"].strip():
        raise ConfigError(f"{source}: name must not be empty.")
    _check_table(raw.get("base", {}), source, "base")
    base = dict(raw.get("base", {}))
    grid = raw.get("grid", {})
    checkpoints = raw.get("checkpoints", [])
    thresholds = raw.get("thresholds", [0.9, 0.92])
    _check_table(quick_over.get("base", {}), source, "[quick] base")  # checked always
    _check_table(quick_over.get("grid", {}), source, "[quick] grid")
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
                  center=raw.get("center", "pixel"), title=str(raw.get("title", "")),
                  source=source, ladder=raw.get("ladder", False))
    for variant in study.variants:  # every run's options, validated before any work
        try:
            epochs = study.spec(variant, 0).config.max_epoch
        except ConfigError as exc:
            raise ConfigError(f"{source} run {variant.label!r}: {exc}") from None
        if study.checkpoints and study.checkpoints[-1] > epochs:
            raise ConfigError(f"{source}: checkpoint epoch {study.checkpoints[-1]} is after the "
                              f"last epoch of run {variant.label!r} (max_epoch = {epochs}).")
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
        reject_unknown(grid, [f.name for f in fields(TrainConfig)], "grid option", source)
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
        options = {k: v for k, v in run.items() if k not in LABEL_KEYS}
        _check_config(options, source, f"[[runs]] #{i}", also=("label",))
        for key in LABEL_KEYS[1:]:
            if key in run and not isinstance(run[key], str):
                raise ConfigError(f"{source} [[runs]] #{i}: {key} must be text, got "
                                  f"{run[key]!r}.")
        translations = {k.removeprefix("label_"): run[k] for k in LABEL_KEYS[1:] if k in run}
        variants.append(Variant(str(run.get("label", f"run {i}")), options,
                                translations=translations))
    labels = [v.label for v in variants]
    if len(set(labels)) < len(labels):
        raise ConfigError(f"{source}: run labels must differ, got {labels}.")
    return tuple(variants)


def _check_table(value: Any, source: str, name: str) -> None:
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: {name!r} must be a table, got {value!r}.")


def _check_config(options: dict[str, Any], source: str, where: str,
                  also: tuple[str, ...] = ()) -> None:
    """Known keys only (the run options and ``also``), and every training option's value
    in range (model options are checked per run, with the study's centring)."""
    reject_unknown(options, (*also, *RUN_KEYS), "key", f"{source} {where}")
    preset = options.get(PRESET_KEY, "linear")
    if not isinstance(preset, str) or preset not in PRESETS:
        raise ConfigError(f"{source} {where}: {PRESET_KEY} must be one of "
                          f"{', '.join(PRESETS)}, got {preset!r}.")
    try:
        TrainConfig.from_dict({k: v for k, v in options.items()
                               if k not in (*MODEL_KEYS, PRESET_KEY)})
    except ConfigError as exc:
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
