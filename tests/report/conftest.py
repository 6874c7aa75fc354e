"""The quick report on the bundled sample, written once for the report's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from softmax_mnist.cli import main


@pytest.fixture(scope="session")
def report_cache(tmp_path_factory) -> Path:
    """The cache folder the quick report keeps its runs in (``<it>/runs``): the figures'
    tests draw the same report from them instead of training every run again."""
    return tmp_path_factory.mktemp("report-cache")


@pytest.fixture(scope="session")
def quick_report(tmp_path_factory, report_cache) -> Path:
    """``report --quick --all`` on mnist-sample, in English (the PDF too, when WeasyPrint
    is installed)."""
    out = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOFTMAX_MNIST_CACHE", str(report_cache))
        status = main(["report", "--dataset", "mnist-sample", "--quick", "--all", "--out",
                       str(out), "--quiet", "--jobs", "2"])
    assert status == 0
    return out
