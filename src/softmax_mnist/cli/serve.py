"""``softmax-mnist serve``: a local web page to draw digits on and watch the models decide."""

from __future__ import annotations

import argparse
import importlib
import signal
import sys

from ..errors import SoftmaxMnistError
from .options import add_data_options

WEB_PACKAGES = ("starlette", "uvicorn", "anyio")
INSTALL = "pip install 'softmax-mnist[web]'"


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser(
        "serve", help="a web page: draw a digit, see each model's probabilities and evidence",
        description="Serve a page to draw digits on (mouse, pen or finger) or upload images "
                    "to: each model's class probabilities, the 28×28 image it sees (prepared "
                    "as by predict) and the evidence for its decision, plus a JSON API "
                    "(POST /api/predict, GET /api/models). Needs " + INSTALL + ".")
    s.add_argument("models", nargs="*", metavar="MODEL.npz",
                   help="models to serve side by side, as FILE or NAME=FILE (default: train "
                        "the default linear model first, a few seconds)")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default %(default)s: this machine only)")
    s.add_argument("--port", type=port_number, default=8000,
                   help="port (default %(default)s; 0 picks a free one)")
    s.add_argument("--open", action="store_true", help="open the page in a web browser")
    add_data_options(s)
    s.set_defaults(handler=serve)


def port_number(text: str) -> int:
    if not (text.isdecimal() and int(text) <= 65535):
        raise argparse.ArgumentTypeError(f"expected a port 0 … 65535, got {text!r}")
    return int(text)


def serve(args: argparse.Namespace) -> int:
    """Ctrl-C or SIGTERM while a model loads or trains ends like any command's (130 / 143,
    :mod:`softmax_mnist.signals`); once serving, they stop the server: exit 130 / 0."""
    _check_web_extra()
    return _serve(args)


def _check_web_extra() -> None:
    """Import the web package; a missing dependency is one line saying what to install."""
    try:
        for module in ("..web", "..web.server"):
            importlib.import_module(module, __package__)
    except ImportError as exc:
        missing = (exc.name or "").partition(".")[0]
        if missing not in WEB_PACKAGES:
            raise
        raise SoftmaxMnistError(f"serve needs the web extra (Starlette and uvicorn; "
                                f"{missing} is missing): {INSTALL}") from None


def _serve(args: argparse.Namespace) -> int:
    from ..web import create_app, load_models
    from ..web.server import LOOPBACK_HOSTS, bind, run

    listener = bind(args.host, args.port)  # a busy port fails before any work
    try:
        models = load_models(args.models) if args.models else [_default_model(args)]
        app = create_app(models, allowed_hosts=LOOPBACK_HOSTS if listener.loopback else None)
    except BaseException:
        listener.socket.close()
        raise
    for m in models:
        summary = m.summary()
        accuracy = summary["test_accuracy"]
        shown = "test accuracy unknown" if accuracy is None else f"{accuracy:.2%} test"
        print(f"serving {m.name}: {m.kind} {summary['layers']}, {shown}", file=sys.stderr)
    if not listener.loopback:
        print(f"softmax-mnist: warning: listening on {args.host}: anyone who can reach this "
              f"machine can use the page and the API (the default 127.0.0.1 keeps it to "
              f"this machine).", file=sys.stderr)
    print(f"open {listener.url} in a browser (API: {listener.url}api/models); Ctrl-C stops.",
          file=sys.stderr, flush=True)
    stopped_by = run(app, listener, open_browser=args.open)
    print("softmax-mnist: stopped.", file=sys.stderr)
    return 130 if stopped_by == signal.SIGINT else 0


def _default_model(args: argparse.Namespace):
    from ..runner import train
    from ..web import ServedModel

    print("no model given: training the default linear model (a few seconds; pass "
          "MODEL.npz files to serve your own) …", file=sys.stderr, flush=True)
    result = train(args.dataset, args.data_dir, allow_download=not args.offline,
                   progress=False)
    print(result.summary(), file=sys.stderr)
    return ServedModel.from_model("linear", result.model)
