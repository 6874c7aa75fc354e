"""Live curves: curves.png is rewritten while training runs, atomically, and shows every
epoch so far."""

from __future__ import annotations

from PIL import Image

from softmax_mnist.data import load_dataset
from softmax_mnist.outputs import OutputFolder
from softmax_mnist.plots import LiveCurves
from softmax_mnist.runner import RUN_FILES, run_and_save, train
from softmax_mnist.training import Callback

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Watch(Callback):
    """After each epoch (and after LiveCurves drew), what an image viewer would find."""

    def __init__(self, path):
        self.path, self.seen = path, []

    def on_epoch_saved(self, epoch):
        data = self.path.read_bytes() if self.path.exists() else b""
        leftovers = [p.name for p in self.path.parent.glob(".*tmp*")]
        self.seen.append((epoch, data, leftovers))


def test_curves_png_is_redrawn_after_every_epoch(tmp_path):
    data = load_dataset("mnist-sample")
    path = tmp_path / "curves.png"
    live = LiveCurves(path, interval=0.0)
    watch = Watch(path)
    train(data=data, max_epoch=4, early_stop="none", progress=False, callbacks=[live, watch])
    assert [e for e, _, _ in watch.seen] == [1, 2, 3, 4]
    images = [d for _, d, _ in watch.seen]
    assert all(d.startswith(PNG_MAGIC) for d in images)  # a whole PNG every time
    assert len(set(images)) == 4  # a new drawing each epoch
    assert not any(left for _, _, left in watch.seen)  # no temporary file left behind
    assert live.history.epochs_run == 4


def test_live_curves_wait_for_their_interval_but_always_draw_the_last_epoch(tmp_path):
    data = load_dataset("mnist-sample")
    path = tmp_path / "curves.png"
    watch = Watch(path)
    train(data=data, max_epoch=3, early_stop="none", progress=False,
          callbacks=[LiveCurves(path, interval=3600.0), watch])
    images = [d for _, d, _ in watch.seen]
    assert images[0] == images[1] == images[2]  # drawn after epoch 1, then not again …
    assert path.read_bytes() != images[2]  # … until training ended


def test_train_command_output_keeps_the_final_curves(tmp_path):
    out = tmp_path / "run"
    with OutputFolder(out, RUN_FILES) as folder:
        run_and_save(folder, {"dataset": "mnist-sample", "data_dir": None, "val_size": None,
                              "allow_download": False, "spec": {},
                              "config": {"max_epoch": 2, "early_stop": "none"}},
                     progress=False)
    with Image.open(out / "curves.png") as image:
        assert image.size[0] > 600
    assert not list(out.glob(".*tmp*"))
