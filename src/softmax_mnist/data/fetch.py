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
from .registry import PARTS, DatasetInfo, archive_name, candidate_names

ENV_DATA = "SOFTMAX_MNIST_DATA"
ENV_CACHE = "SOFTMAX_MNIST_CACHE"
SAMPLE_DIR = Path(__file__).with_name("sample")
DOWNLOAD_TIMEOUT = 30  # seconds without an answer before a mirror counts as dead


def cache_dir() -> Path:
    """The user cache directory: ``$SOFTMAX_MNIST_CACHE`` or the platform's default."""
    env = os.environ.get(ENV_CACHE)
    return Path(env) if env else Path(platformdirs.user_cache_dir("softmax-mnist"))


def find_files(directory: str | os.PathLike[str]) -> dict[str, Path]:
    """Find the four IDX files in ``directory``, under any published name.

    Returns:
        part name (``train_images`` …) -> path.

    Raises:
        DataError: the directory does not exist or lacks one of the files.
    """
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        raise DataError(f"data directory {directory} does not exist. Point --data-dir at "
                        "the folder holding the four MNIST files.")
    found, missing = {}, []
    for part in PARTS:
        path = next((directory / n for n in candidate_names(part)
                     if (directory / n).is_file()), None)
        if path is None:
            missing.append(candidate_names(part)[0])
        else:
            found[part] = path
    if missing:
        raise DataError(f"{directory} lacks {', '.join(missing)} (also looked for the "
                        "'.idx'-dotted and uncompressed names). Put all four files there.")
    return found


def has_files(directory: Path) -> bool:
    """Whether ``directory`` holds all four files."""
    try:
        find_files(directory)
    except DataError:
        return False
    return True


def download(info: DatasetInfo, dest: Path, *, progress: bool = True,
             log: Callable[[str], None] = print) -> dict[str, Path]:
    """Download the four archives of ``info`` into ``dest``, checking their md5.

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
    for part in PARTS:
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
           allow_download: bool = True, allow_sample: bool | None = None,
           progress: bool = True, log: Callable[[str], None] = print,
           ) -> tuple[dict[str, Path], str]:
    """Find the files of ``info`` by the documented order of places.

    Returns:
        (part -> path, a one-phrase description of where they came from).
    """
    if data_dir is not None:
        return find_files(data_dir), str(Path(data_dir))
    env = os.environ.get(ENV_DATA) if info.name == "mnist" else None
    if env:
        return find_files(env), f"${ENV_DATA} ({env})"
    cached = cache_dir() / info.name
    if has_files(cached):
        return find_files(cached), f"cache ({cached})"
    tried = [f"no --data-dir, ${ENV_DATA} unset, nothing in {cached}"]
    if allow_download:
        try:
            return download(info, cached, progress=progress, log=log), f"download ({cached})"
        except DataError as exc:
            tried.append(str(exc))
    else:
        tried.append("download disabled")
    if allow_sample if allow_sample is not None else info.name == "mnist":
        log(f"note: using the bundled 10,000-image MNIST sample: {'; '.join(tried)}. "
            "For the full set pass --data-dir DIR, set $SOFTMAX_MNIST_DATA, or run once online.")
        return find_files(SAMPLE_DIR), "bundled sample"
    raise DataError(f"{info.title} not found: {'; '.join(tried)}. Pass --data-dir DIR "
                    f"with the four files, or run once with network access.")
