"""One training run: data → preprocessing → network → solver → test, and its outputs.

``fit`` (``prepare`` and ``fit_network``: the one training path) → ``run`` (``train``:
one run end to end, its metrics) → ``result`` (``RunResult``: model, History, metrics,
saved) → ``save`` (``run_and_save``: a run owning an output folder, its checkpoint and
live curves). Imports the model, preprocessing, data and the training loop; never
``teaching``: a student's classes come in as a ``learner=`` factory.
"""

from .fit import RAW_SPLITS, Prepared, Splits, fit_network, prepare
from .result import RunResult
from .run import OUR_IMPLEMENTATION, final_evaluation, train
from .save import LIVE_CURVES, OPTIONAL_RUN_KEYS, RUN_FILES, RUN_KEYS, run_and_save

__all__ = ["LIVE_CURVES", "OPTIONAL_RUN_KEYS", "OUR_IMPLEMENTATION", "RAW_SPLITS", "RUN_FILES",
           "RUN_KEYS", "Prepared", "RunResult", "Splits", "final_evaluation", "fit_network",
           "prepare",
           "run_and_save", "train"]
