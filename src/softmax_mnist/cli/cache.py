"""``softmax-mnist cache info|clear``: what the cache holds (decoded data, finished runs,
downloads), and emptying it."""

from __future__ import annotations

import argparse
import shutil


def register(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("cache", help="show or clear the cache of decoded data, finished runs "
                                     "and downloads",
                       description="The cache keeps decoded data sets (so that runs skip "
                                   "gzip), finished runs (so that report, experiment and "
                                   "train reuse a run with the same options, seed, data and "
                                   "code) and downloads. Decoded entries are capped at "
                                   "$SOFTMAX_MNIST_CACHE_MB (default 512 MB), runs at "
                                   "$SOFTMAX_MNIST_RUNS_MB (default 256 MB), least recently "
                                   "used first out.")
    c.add_argument("action", choices=("info", "clear"))
    c.add_argument("--downloads", action="store_true",
                   help="with clear: also delete the downloaded data sets")
    c.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..data.cache import cache_limit, entries
    from ..data.fetch import cache_dir
    from ..data.registry import DATASETS
    from ..errors import SoftmaxMnistError
    from ..experiments.runcache import RunCache
    from ..fileio import describe_os_error, printable

    root = cache_dir()
    decoded = root / "decoded"
    found = entries(decoded) if decoded.is_dir() else []
    downloads = [root / name for name in DATASETS if (root / name).is_dir()]
    runs = RunCache()
    kept = runs.entries()
    if args.action == "info":
        used = sum(size for _, size, _ in found)
        print(f"cache: {printable(root)}")
        print(f"decoded data: {len(found)} entr{'y' if len(found) == 1 else 'ies'}, "
              f"{used / 2**20:.1f} MB of {cache_limit() / 2**20:.0f} MB allowed")
        timings = sum(stem.startswith("t") for stem, _, _ in kept)  # run stems are hex
        print(f"finished runs: {_count(len(kept) - timings, 'run')} and "
              f"{_count(timings, 'epoch timing')}, "
              f"{sum(size for _, size, _ in kept) / 2**20:.1f} MB of "
              f"{runs.limit / 2**20:.0f} MB allowed")
        for folder in downloads:
            size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
            print(f"downloaded {folder.name}: {size / 2**20:.1f} MB")
        return 0
    shutil.rmtree(decoded, ignore_errors=True)
    try:
        cleared = runs.clear() if runs.folder.is_dir() else 0
    except OSError as exc:
        raise SoftmaxMnistError(f"cannot clear the run cache {printable(runs.folder)}: "
                        f"{describe_os_error(exc)}.") from None
    removed = [f"{len(found)} decoded entr{'y' if len(found) == 1 else 'ies'}",
               f"{_count(cleared, 'finished run entry')}"]
    if args.downloads:
        for folder in downloads:
            shutil.rmtree(folder, ignore_errors=True)
        removed.append(f"{len(downloads)} downloaded data set{'s' * (len(downloads) != 1)}")
    print(f"removed {', '.join(removed[:-1])} and {removed[-1]} from {printable(root)}")
    return 0


def _count(n: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n} {noun if n == 1 else plural}"
