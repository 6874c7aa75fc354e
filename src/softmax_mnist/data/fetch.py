"""Finding the data files on disk, and downloading them when they are not there.

Where the data comes from, for ``mnist``: ``data_dir`` (``--data-dir``), else
``$SOFTMAX_MNIST_DATA``, else the user cache directory, else a download into that
cache, else the sample bundled with the package (with a one-line note saying so).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from ..errors import DataError
from ..fileio import printable
from .idx import check_regular_file
from .registry import PARTS, DatasetInfo, archive_name, candidate_names

ENV_DATA = "SOFTMAX_MNIST_DATA"
ENV_CACHE = "SOFTMAX_MNIST_CACHE"
SAMPLE_DIR = Path(__file__).with_name("sample")
DOWNLOAD_TIMEOUT = 30  # seconds without an answer before a mirror counts as dead


def cache_dir() -> Path:
    """The user cache directory: ``$SOFTMAX_MNIST_CACHE`` or the platform's default."""
    env = os.environ.get(ENV_CACHE)
    return Path(env) if env else Path(platformdirs.user_cache_dir("softmax-mnist"))


def find_files(directory: str | os.PathLike[str],
               parts: tuple[str, ...] = tuple(PARTS)) -> dict[str, Path]:
    """Find the IDX files of ``parts`` (default all four) in ``directory``, under any
    published name.

    Returns:
        part name (``train_images`` …) -> path.

    Raises:
        DataError: the directory does not exist, cannot be searched, lacks one of the
        files, or holds something that is not a regular file under one of their names.
    """
    directory = Path(directory).expanduser()
    where = printable(directory)
    try:
        if not directory.is_dir():
            raise DataError(f"data directory {where} does not exist. Point --data-dir at "
                            "the folder holding the four MNIST files.")
        found, missing = {}, []
        for part in parts:
            names = [directory / n for n in candidate_names(part)]
            present = [p for p in names if p.exists()]
            if not present:
                missing.append(candidate_names(part)[0])
                continue
            check_regular_file(present[0])
            found[part] = present[0]
    except OSError as exc:
        raise DataError(f"cannot search data directory {where}: "
                        f"{(exc.strerror or str(exc)).lower()}.") from None
    if missing:
        raise DataError(f"{where} lacks {', '.join(missing)} (also looked for the "
                        "'.idx'-dotted and uncompressed names). Put all four files there.")
    return found


def has_files(directory: Path, parts: tuple[str, ...] = tuple(PARTS)) -> bool:
    """Whether ``directory`` holds the files of ``parts``."""
    try:
        find_files(directory, parts)
    except DataError:
        return False
    return True


def download(info: DatasetInfo, dest: Path, *, parts: tuple[str, ...] = tuple(PARTS),
             progress: bool = True, log: Callable[[str], None] = print) -> dict[str, Path]:
    """Download the archives of ``parts`` (default all four) of ``info`` into ``dest``,
    checking their md5.

    Each file is tried on every mirror in order; a connection error, an HTTP error
    or a checksum mismatch moves on to the next mirror. pooch writes each download
    to a temporary file and moves it into place only when its hash matches.

    Raises:
        DataError: a file could not be had from any mirror; the message lists why.
    """
    import pooch  # deferred: it pulls in requests, which is slow to import
    import requests

    pooch.get_logger().setLevel(logging.WARNING)  # we say what we download ourselves
    downloader = pooch.HTTPDownloader(progressbar=progress, timeout=DOWNLOAD_TIMEOUT)
    paths = {}
    for part in parts:
        fname = archive_name(part)
        failures = []
        for mirror in info.mirrors:
            url = mirror + fname
            host = urlsplit(url).netloc
            try:
                log(f"downloading {url}")
                path = pooch.retrieve(url, known_hash=f"md5:{info.md5[fname]}", fname=fname,
                                      path=dest, downloader=downloader)
            except ValueError:  # pooch's word for a checksum mismatch
                failures.append(f"{host}: checksum mismatch")
            except requests.HTTPError as exc:
                failures.append(f"{host}: HTTP {exc.response.status_code}")
            except requests.Timeout:
                failures.append(f"{host}: no answer in {DOWNLOAD_TIMEOUT}s")
            except requests.ConnectionError:
                failures.append(f"{host}: cannot connect")
            except (requests.RequestException, OSError) as exc:
                failures.append(f"{host}: {type(exc).__name__}: {exc}"[:200])
            else:
                paths[part] = Path(path)
                break
        else:
            raise DataError(f"could not download {fname} ({'; '.join(failures)})")
    return paths


def locate(info: DatasetInfo, data_dir: str | os.PathLike[str] | None = None, *,
           parts: tuple[str, ...] = tuple(PARTS), allow_download: bool = True,
           allow_sample: bool | None = None, progress: bool = True,
           log: Callable[[str], None] = print) -> tuple[dict[str, Path], str]:
    """Find the files of ``parts`` of ``info`` by the documented order of places.

    Returns:
        (part -> path, a one-phrase description of where they came from).
    """
    if data_dir is not None:
        return find_files(data_dir, parts), printable(data_dir)
    env = os.environ.get(ENV_DATA) if info.name == "mnist" else None
    if env:
        return find_files(env, parts), f"${ENV_DATA} ({printable(env)})"
    cached = cache_dir() / info.name
    if has_files(cached, parts):
        return find_files(cached, parts), f"cache ({cached})"
    env_note = (f"${ENV_DATA} unset" if not os.environ.get(ENV_DATA)
                else f"${ENV_DATA} is only used for mnist")
    tried = [f"no --data-dir, {env_note}, nothing in {cached}"]
    if allow_download:
        try:
            return (download(info, cached, parts=parts, progress=progress, log=log),
                    f"download ({cached})")
        except DataError as exc:
            tried.append(str(exc))
    else:
        tried.append("download disabled")
    if allow_sample if allow_sample is not None else info.name == "mnist":
        log(f"note: using the bundled 10,000-image MNIST sample: {'; '.join(tried)}. "
            "For the full set pass --data-dir DIR, set $SOFTMAX_MNIST_DATA, or run once online.")
        return find_files(SAMPLE_DIR, parts), "bundled sample"
    raise DataError(f"{info.title} not found: {'; '.join(tried)}. Pass --data-dir DIR "
                    f"with the four files, or run once with network access.")
