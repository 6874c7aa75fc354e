"""The ``softmax-mnist`` command: a thin layer over the library.

One module per group of subcommands, each with ``register(subparsers)`` setting the
``handler`` of its commands: ``train``; ``evaluate`` and ``predict``; ``gradcheck``;
``report`` and ``experiment``; ``cache``; ``scaffold`` and ``check``; ``serve``. A user
mistake ends in one line on stderr and exit status 2 (options named by their flags); Ctrl-C
ends with 130.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .. import signals
from .._version import __version__
from ..errors import ConfigError, SoftmaxMnistError
from . import cache, evaluate, gradcheck, serve, studies, teach, train
from .options import FLAGS, Parser

COMMAND_MODULES = (train, evaluate, gradcheck, studies, cache, teach, serve)


def build_parser() -> Parser:
    parser = Parser(
        prog="softmax-mnist",
        description="Softmax regression for handwritten digits (MNIST), from scratch in NumPy.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=Parser)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # paths with undecodable bytes still print
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    try:
        with signals.handle_interrupts():
            return args.handler(args)
    except ConfigError as exc:
        print(f"softmax-mnist: error: {exc.render(FLAGS)}", file=sys.stderr)
        return 2
    except SoftmaxMnistError as exc:
        print(f"softmax-mnist: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print("softmax-mnist: interrupted.", file=sys.stderr)
        return signals.exit_code(exc)


if __name__ == "__main__":
    sys.exit(main())
