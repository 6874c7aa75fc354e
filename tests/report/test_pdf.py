"""report.pdf as a marker opens it: it renders (pdftoppm), its text (pdftotext) holds the
lab's questions, the contents with page numbers and the headline numbers of
results.json; the Chinese one's text is Chinese; without WeasyPrint, one line says how
to get it."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from softmax_mnist.cli import main

if importlib.util.find_spec("weasyprint") is None:  # (importing it here would set PIL's
    pytest.skip("WeasyPrint is not installed (the pdf extra)",  # LOAD_TRUNCATED_IMAGES
                allow_module_level=True)                          # for the whole session)
POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdftoppm) "
                                                       "not installed; .ci/run installs it")

TINY = """
kind = "compare"
question = "Q2"
thresholds = [0.5]
[base]
max_epoch = 2
early_stop = "none"
[[runs]]
label = "plain SGD"
label_zh = "普通 SGD"
momentum = 0.0
[[runs]]
label = "heavy ball"
label_zh = "重球法"
momentum = 0.9
"""


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@needs_poppler
def test_pdf_renders_every_page(quick_report, tmp_path):
    results = json.loads((quick_report / "results.json").read_text(encoding="utf-8"))
    pages = results["meta"]["pdf"]["pages"]
    assert results["meta"]["pdf"]["written"] and pages >= 8
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(quick_report / "report.pdf"),
                    str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    for image in images:  # every page has something on it
        assert np.asarray(Image.open(image).convert("L")).std() > 5, image.name


@needs_poppler
def test_pdf_text_holds_the_questions_contents_and_headline_numbers(quick_report):
    text = pdf_text(quick_report / "report.pdf")
    results = json.loads((quick_report / "results.json").read_text(encoding="utf-8"))
    pages = results["meta"]["pdf"]["pages"]
    for heading in ("Q1 — Training and test accuracy", "Q2 — With and without momentum",
                    "Q3 — Batch size, learning rate, epochs", "Q4 (extra)", "Reproduce",
                    "The lab asks:"):
        assert heading in text, heading
    # the contents: each question with the page it starts on, and page numbers at the foot
    contents = text.split("Contents", 1)[1]
    starts = [int(re.search(rf"{q} —.*?\.\s*(\d+)\s*$", contents, re.M).group(1))
              for q in ("Q1", "Q2", "Q3")]
    assert starts == sorted(starts) and starts[0] >= 1 and starts[-1] <= pages
    assert f"1 / {pages}" in text and f"{pages} / {pages}" in text
    # the headline numbers, exactly as results.json stores them
    studies = results["studies"]
    q1 = studies["baseline"]["variants"][0]["cells"]
    for name in ("final_test_accuracy", "final_val_accuracy", "final_train_accuracy"):
        assert f"{q1[name]['text']} %" in text, name
    for name, section in studies.items():
        if section["kind"] == "baseline":  # its numbers are checked above
            continue
        lead = next(o for o in section["observations"] if o["id"] in (
            "obs_best", "obs_tie", "obs_tie_all", "obs_grid_best", "obs_only", "obs_ladder"))
        value = re.search(r"(\d+\.\d\d) %", lead["text"]).group(1)
        assert f"{value} %" in text, name
    assert f"{100 * results['diagnostics']['test_accuracy']:.2f}" in text


def test_writing_the_pdf_leaves_truncated_images_refused(quick_report, tmp_path):
    # importing WeasyPrint sets PIL's LOAD_TRUNCATED_IMAGES for the whole process;
    # predict and serve must still refuse a cut-off PNG after a report
    from PIL import Image, ImageFile

    from softmax_mnist.report.pdf import write_pdf

    assert write_pdf("<h1>x</h1>", tmp_path, "en")["written"]
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    png = (quick_report / "baseline_curves.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(png[: len(png) // 2])
    with pytest.raises(OSError), Image.open(tmp_path / "cut.png") as image:
        image.load()


@needs_poppler
def test_chinese_pdf_has_extractable_chinese_text(tmp_path):
    out = tmp_path / "zh"
    study = tmp_path / "m.toml"
    study.write_text(TINY, encoding="utf-8")
    assert main(["experiment", "m", "--config", str(study), "--dataset", "mnist-sample",
                 "--lang", "zh", "--out", str(out), "--quiet", "--jobs", "1"]) == 0
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["meta"]["pdf"]["font"], "no CJK font: .ci/run installs fonts-noto-cjk"
    text = pdf_text(out / "report.pdf")
    for words in ("实验报告", "目录", "分析与结论", "普通 SGD", "重球法", "使用与不使用动量"):
        assert words in text, words
    assert "\ufffd" not in text and "□" not in text


def test_without_weasyprint_the_report_says_how_to_get_the_pdf(tmp_path):
    study = tmp_path / "m.toml"
    study.write_text(TINY, encoding="utf-8")
    code = ("import sys; sys.modules['weasyprint'] = None\n"  # import weasyprint fails
            "from softmax_mnist.cli import main\n"
            f"sys.exit(main(['experiment', 'm', '--config', {str(study)!r}, '--dataset', "
            f"'mnist-sample', '--out', {str(tmp_path / 'out')!r}, '--quiet', '--jobs', '1']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("\n") == 1 and "pip install 'softmax-mnist[pdf]'" in done.stderr
    assert "report.pdf" not in done.stdout
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {"report.md", "report.html",
                                                                "results.json"}
    assert not (tmp_path / "out" / "report.pdf").exists()
