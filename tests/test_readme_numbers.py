"""The READMEs' measured numbers come from docs/readme_numbers.json, and only from it."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

from helpers import REPO

SCRIPT = REPO / "docs" / "readme_numbers.py"


def load_script():
    spec = importlib.util.spec_from_file_location("readme_numbers", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readmes_agree_with_the_measurement():
    done = subprocess.run([sys.executable, str(SCRIPT), "check"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_a_hand_edited_number_is_put_back():
    script = load_script()
    numbers = json.loads((REPO / "docs" / "readme_numbers.json").read_text(encoding="utf-8"))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = script.blocks(numbers)
    measured = f"{100 * numbers['runs']['default']['test_accuracy']:.2f} %"
    assert measured in blocks["results"]
    edited = readme.replace(blocks["results"], blocks["results"].replace(measured, "99.99 %"))
    assert edited != readme and script.rewrite(edited, blocks) == readme
