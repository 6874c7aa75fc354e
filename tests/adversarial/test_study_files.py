"""Study files as an adversary writes them: wrong types, odd encodings, deep nesting, HTML
and paths in names. Each is one line and exit 2, or a report whose HTML is inert."""

from __future__ import annotations

import contextlib
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from softmax_mnist.cli import main
from softmax_mnist.errors import ConfigError
from softmax_mnist.experiments import parse_study
from softmax_mnist.experiments.study import RUN_KEYS

KEYS = st.sampled_from(["name", "question", "kind", "title", "center", "base", "runs",
                        "grid", "checkpoints", "thresholds", "quick", "label", "seed",
                        "max_epoch", "batch_size", "learning_rate", "hidden", "preprocess",
                        "lable", "x"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6),
                    st.floats(allow_nan=True), st.text(max_size=12),
                    st.sampled_from(["grid", "compare", "ablation", "baseline", "pixel",
                                     "deskew", "pca:5", "plateau"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)), max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(raw=st.dictionaries(KEYS, VALUES, max_size=8), quick=st.booleans())
def test_any_study_table_is_valid_or_a_config_error(raw, quick):
    raw = {k: v for k, v in raw.items() if k not in ("label", "seed")}
    raw.setdefault("name", "fuzz")
    with contextlib.suppress(ConfigError):  # anything else fails the test
        parse_study(raw, "fuzz.toml", quick=quick)


def _write(tmp_path, text: str | bytes, name: str = "s.toml"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


@pytest.mark.parametrize("text, words", [
    ('kind = "compare"\n[base]\nseed = "abc"\n[[runs]]\nlabel = "a"\n',
     "seed must be a whole number"),
    ('kind = "compare"\nbase = [1, 2]\n', "'base' must be a table"),
    ('kind = "compare"\n[quick]\nbase = "x"\n[[runs]]\nlabel = "a"\n', "[quick] base"),
    ('kind = "compare"\n[[runs]]\nlable = "a"\n', "Did you mean 'label'?"),
    ('kind = "compare"\n[[runs]]\nlable = "a"\n', "Known: label, max_epoch"),
    ('kind = "compare"\n[base]\nlearning_rate = "0.01"\n[[runs]]\nlabel = "a"\n',
     "got '0.01'"),
    ('kind = "compare"\ncheckpoints = [4, 50]\n[base]\nmax_epoch = 8\n[[runs]]\nlabel = "a"\n',
     "checkpoint epoch 50 is after the last epoch"),
    ('kind = "grid"\n[grid]\nhidden = [[8], [16]]\n', "unknown grid option 'hidden'"),
    ("kind = 'compare'\nx = " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
    ('kind = "compare"\nname = 5\n[[runs]]\nlabel = "a"\n', "name must be text"),
])
def test_bad_study_files_are_one_line(tmp_path, capsys, text, words):
    status = main(["experiment", "x", "--config", _write(tmp_path, text), "--dataset",
                   "mnist-sample", "--quiet", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1, err
    assert words in err
    assert not (tmp_path / "out").exists()


def test_latin1_study_file_says_save_as_utf8(tmp_path, capsys):
    path = _write(tmp_path, 'kind = "compare"\n[[runs]]\nlabel = "caf\xe9"\n'.encode("latin-1"))
    assert main(["experiment", "x", "--config", path, "--dataset", "mnist-sample",
                 "--quiet"]) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_every_run_key_is_listed_as_known():
    with pytest.raises(ConfigError) as info:
        parse_study({"name": "s", "kind": "compare", "runs": [{"lable": "a"}]})
    for key in ("label", "preprocess", "hidden", "activation", *RUN_KEYS):
        assert key in str(info.value)


HOSTILE = """
name = "../../evil&<b>x</b>"
question = "<script>alert('q')</script>"
kind = "compare"
checkpoints = [1]
thresholds = [0.5]
[base]
max_epoch = 1
early_stop = "none"
[[runs]]
label = "<script>alert(1)</script>"
[[runs]]
label = "[click](javascript:alert(2)) <img src=x onerror=alert(3)>"
momentum = 0.5
"""


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag of a page, with its attributes."""
    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collect().feed(html)
    return found


def test_html_from_a_study_file_is_inert_and_paths_stay_inside(tmp_path):
    out = tmp_path / "deep" / "out"
    assert main(["experiment", "x", "--config", _write(tmp_path, HOSTILE), "--dataset",
                 "mnist-sample", "--quiet", "--jobs", "1", "--out", str(out)]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    tags = _tags(html)
    assert {t for t, _ in tags} <= {"html", "head", "meta", "title", "style", "body", "h1",
                                    "h2", "h3", "p", "ul", "li", "strong", "em", "code", "pre",
                                    "table", "thead", "tbody", "tr", "th", "td", "img",
                                    "figure", "figcaption", "blockquote"}
    for tag, attrs in tags:  # no handler, no link, images only as embedded data
        assert not any(name.startswith("on") or name == "href" for name, _ in attrs)
        assert tag != "img" or dict(attrs)["src"].startswith("data:image/png;base64,")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, not run
    pngs = {p.relative_to(tmp_path) for p in tmp_path.rglob("*.png")}
    assert pngs and all(str(p).startswith("deep/out/") for p in pngs)
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+", p.name) for p in pngs)
    assert html.count("data:image/png;base64,") == len(pngs)
