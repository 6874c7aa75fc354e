"""``softmax-mnist gradcheck``: analytic gradients against centred finite differences."""

from __future__ import annotations

import argparse
import math

from ..errors import ConfigError
from ..model import MODEL_OPTIONS, ModelSpec
from ..training import TRAIN_OPTIONS
from ..training.options import check_options
from .options import add_table


def register(sub: argparse._SubParsersAction) -> None:
    g = sub.add_parser("gradcheck", help="check gradients against numerical ones",
                       description="Compare analytic gradients with centred finite "
                                   "differences on a small random float64 problem. An array "
                                   "passes when ‖a − n‖ / (‖a‖ + ‖n‖) is below --tol.")
    add_table(g, MODEL_OPTIONS, ModelSpec(), only=("hidden", "activation"))
    g.add_argument("--seed", type=int, default=0, help="the random problem, ≥ 0 (default 0)")
    g.add_argument("--tol", type=float, default=1e-6,
                   help="largest relative error that passes (default %(default)s)")
    g.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..nn.gradcheck import check_gradients, random_problem

    spec = ModelSpec(hidden=args.hidden, activation=args.activation)
    check_options({"seed": args.seed}, TRAIN_OPTIONS)
    if not (args.tol > 0 and math.isfinite(args.tol)):
        raise ConfigError(f"--tol must be a number > 0, got {args.tol}.")
    network, X, y = random_problem(hidden=spec.hidden, activation=spec.activation,
                                   seed=args.seed)
    checks = check_gradients(network, X, y)
    for c in checks:
        print(f"{c.name:>12}  relative error {c.relative_error:.2e}  "
              f"(worst entry {c.worst_entry:.1e})")
    worst = max(c.relative_error for c in checks)
    ok = worst < args.tol
    print(f"worst relative error {worst:.2e} ({network.describe()}): "
          f"{'OK' if ok else 'FAILED'} (tolerance {args.tol:g})")
    return 0 if ok else 1
