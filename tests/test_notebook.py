"""examples/runner.ipynb executes from top to bottom, offline, and says what it should."""

from __future__ import annotations

import re

import pytest

from helpers import REPO

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = REPO / "examples" / "runner.ipynb"


def outputs(nb, kind: str) -> list[dict]:
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs
            if o.get("output_type") == kind]


def test_runner_notebook_executes(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, with the cell and traceback, on failure
    assert not outputs(nb, "error")
    text = "".join(o["text"] for o in outputs(nb, "stream") if o["name"] == "stdout")
    acc = {float(mu): float(a) / 100 for mu, a in
           re.findall(r"momentum ([\d.]+): test accuracy ([\d.]+)%, test loss", text)}
    assert set(acc) == {0.0, 0.9}, text
    # the lab's Q2: in 10 epochs at lr 0.01, momentum converges much further
    assert acc[0.9] > acc[0.0] + 0.02 and acc[0.0] > 0.80, acc
    figures = [o for o in outputs(nb, "display_data") if "image/png" in o["data"]]
    # two live figures, each redrawn in place over its 10 epochs (not 10 figures each),
    # and the two plots of the notebook
    training = next(c for c in nb.cells if "NotebookCurves(" in c.source)
    live = [o for o in training.outputs if "image/png" in o.get("data", {})]
    assert len(live) == 2 and len(figures) == 4
    assert "Warning" not in text and not any(o["name"] == "stderr" for o in outputs(nb, "stream"))
    assert list(tmp_path.iterdir()) == []  # writes nothing into its working directory
