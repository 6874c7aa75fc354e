"""Data: IDX files, where to find or download them, and the train/val/test split."""

from .dataset import Dataset, load_dataset, load_mnist, read_pair
from .idx import read_idx, write_idx
from .registry import (
    DATASET_NAMES,
    DATASETS,
    IMAGE_PIXELS,
    IMAGE_SIDE,
    NUM_CLASSES,
    DatasetInfo,
    content_digest,
)

__all__ = ["DATASETS", "DATASET_NAMES", "IMAGE_PIXELS", "IMAGE_SIDE", "NUM_CLASSES", "Dataset",
           "DatasetInfo", "content_digest", "load_dataset", "load_mnist", "read_idx",
           "read_pair", "write_idx"]
