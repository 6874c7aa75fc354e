"""``softmax-mnist cache info|clear``: what the cache holds, and emptying it."""

from __future__ import annotations

import argparse
import shutil


def register(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("cache", help="show or clear the cache of decoded and downloaded data",
                       description="The cache keeps decoded data sets (so that runs skip "
                                   "gzip) and downloads. Decoded entries are capped at "
                                   "$SOFTMAX_MNIST_CACHE_MB (default 512 MB), least recently "
                                   "used first out.")
    c.add_argument("action", choices=("info", "clear"))
    c.add_argument("--downloads", action="store_true",
                   help="with clear: also delete the downloaded data sets")
    c.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..data.cache import cache_limit, entries
    from ..data.fetch import cache_dir
    from ..data.registry import DATASETS
    from ..fileio import printable

    root = cache_dir()
    decoded = root / "decoded"
    found = entries(decoded) if decoded.is_dir() else []
    downloads = [root / name for name in DATASETS if (root / name).is_dir()]
    if args.action == "info":
        used = sum(size for _, size, _ in found)
        print(f"cache: {printable(root)}")
        print(f"decoded data: {len(found)} entr{'y' if len(found) == 1 else 'ies'}, "
              f"{used / 2**20:.1f} MB of {cache_limit() / 2**20:.0f} MB allowed")
        for folder in downloads:
            size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
            print(f"downloaded {folder.name}: {size / 2**20:.1f} MB")
        return 0
    shutil.rmtree(decoded, ignore_errors=True)
    removed = [f"{len(found)} decoded entr{'y' if len(found) == 1 else 'ies'}"]
    if args.downloads:
        for folder in downloads:
            shutil.rmtree(folder, ignore_errors=True)
        removed.append(f"{len(downloads)} downloaded data set{'s' * (len(downloads) != 1)}")
    print(f"removed {' and '.join(removed)} from {printable(root)}")
    return 0
