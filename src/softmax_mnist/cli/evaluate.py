"""``softmax-mnist evaluate`` (a saved model on the test set) and ``predict`` (image files)."""

from __future__ import annotations

import argparse
import json
import sys

from .options import add_data_options, positive_int


def register(sub: argparse._SubParsersAction) -> None:
    ev = sub.add_parser("evaluate", help="test a saved model",
                        description="Print test loss and accuracy of a saved model.")
    ev.add_argument("model", metavar="MODEL.npz")
    add_data_options(ev)
    ev.add_argument("--json", action="store_true", help="one machine-readable JSON line")
    ev.set_defaults(handler=evaluate)

    pr = sub.add_parser("predict", help="recognise digits in image files (PNG, JPEG, …)",
                        description="Prepare each image the way MNIST was made (grayscale, "
                                    "invert a light background, crop to the ink, fit into "
                                    "20×20, centre by centre of mass in 28×28) and print the "
                                    "most probable classes.")
    pr.add_argument("model", metavar="MODEL.npz")
    pr.add_argument("images", nargs="+", metavar="IMAGE", help="one digit per image file")
    pr.add_argument("--top", type=positive_int, default=3, metavar="K",
                    help="how many classes to list per image (default %(default)s)")
    pr.add_argument("--json", action="store_true",
                    help="one JSON object per image and line: file, prediction, top")
    pr.add_argument("--save-prepared", metavar="DIR",
                    help="also write the 28×28 image the model sees, as DIR/<name>.28x28.png")
    pr.set_defaults(handler=predict)


def evaluate(args: argparse.Namespace) -> int:
    from ..data import DATASET_NAMES, load_dataset
    from ..errors import ConfigError
    from ..model import Model

    model = Model.load(args.model)
    trained_on = model.metadata.get("dataset")
    asked = args.dataset
    if asked is None and args.data_dir is None:
        if trained_on not in DATASET_NAMES:
            raise ConfigError(f"{args.model} was trained on files that are none of the known "
                              f"sets ({trained_on!r}); pass --data-dir with their folder.")
        asked = trained_on
    data = load_dataset(asked, args.data_dir, allow_download=not args.offline,
                        progress=not args.json, test_only=True)
    if trained_on and data.name != trained_on and {data.name, trained_on} != {
            "mnist", "mnist-sample"}:
        print(f"note: {args.model} was trained on {trained_on}; these are {data.name} test "
              f"images.", file=sys.stderr)
    loss, acc = model.evaluate(data.X_test, data.y_test)
    if args.json:
        print(json.dumps({"model": args.model, "dataset": data.name, "source": data.source,
                          "test_loss": loss, "test_accuracy": acc, "n": len(data.y_test)},
                         allow_nan=False))
    else:
        print(f"test accuracy {acc:.2%}, loss {loss:.4f} on {len(data.y_test)} {data.name} "
              f"test images ({data.source})")
    return 0


def predict(args: argparse.Namespace) -> int:
    from ..model import Model
    from ..predict import predict_images, prepare_files, save_prepared

    model = Model.load(args.model)
    X = prepare_files(args.images)  # every file is checked before anything is printed
    if args.save_prepared:
        save_prepared(X, args.images, args.save_prepared)
    for p in predict_images(model, X, args.images, args.top):
        print(json.dumps(p.to_dict(), allow_nan=False) if args.json else p.describe())
    return 0
