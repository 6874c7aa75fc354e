"""The one exception type for user mistakes.

Anything the user can fix (a missing file, a corrupt download, an impossible
hyperparameter) raises :class:`SoftmaxMnistError` with a message that says what is
wrong and what to do. The command line prints that message on one line and exits
with status 2; everything else is a bug and keeps its traceback.
"""


class SoftmaxMnistError(Exception):
    """A problem the user can fix; the message says how."""


class DataError(SoftmaxMnistError):
    """A data file is missing, truncated or not in IDX format."""


class ConfigError(SoftmaxMnistError, ValueError):
    """A hyperparameter or option is out of its allowed range."""


class ModelFileError(SoftmaxMnistError):
    """A saved model file is missing, foreign or damaged."""
