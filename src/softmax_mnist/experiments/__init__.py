"""Studies of many training runs: ``study`` (the TOML schema) → ``run`` (one run in a
worker, its ``RunRecord``) → ``execute`` (many runs, in parallel with joblib or Dask)."""

from .execute import BACKENDS, check_executor, execute, unique_specs
from .run import ITERATION_POINTS, KeptWeights, ModelInfo, RunRecord, RunSpec, block_means
from .study import (
    EXTRA_STUDIES,
    LAB_STUDIES,
    REPORT_STUDIES,
    Study,
    Variant,
    load_study,
    parse_study,
    read_study_text,
    study_names,
)
from .timing import EpochTiming, speed_key, time_epochs

__all__ = ["BACKENDS", "EXTRA_STUDIES", "ITERATION_POINTS", "LAB_STUDIES", "REPORT_STUDIES",
           "EpochTiming", "KeptWeights", "ModelInfo", "RunRecord", "RunSpec", "Study",
           "Variant", "block_means", "check_executor", "execute", "load_study",
           "parse_study", "read_study_text", "speed_key", "study_names", "time_epochs",
           "unique_specs"]
