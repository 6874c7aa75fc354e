"""The page in a real browser: Debian's Chromium driven by Playwright, against a real
``softmax-mnist serve`` (uvicorn, loopback, a free port) serving two models trained on
full MNIST. Digits are drawn on the pad with mouse events.

Set ``SOFTMAX_MNIST_SCREENSHOTS=docs`` to write the README's screenshots there.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from strokes import DIGITS, Stroke, render

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                "(apt-get install -y chromium; CI's .ci/run installs it)")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
VIEWPORT = {"width": 1360, "height": 1000}
ANSWER_MS = 30_000


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, mnist_server):
    """A fresh page on the server, ready; fails the test on any console error (a CSP
    violation, a script error, a failed request)."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.console_errors = problems  # a test expecting an error removes it
    page.goto(mnist_server.url)
    page.wait_for_selector("body[data-ready=true]")
    yield page
    context.close()
    assert problems == []


def answered(page) -> int:
    return int(page.evaluate("Number(document.body.dataset.answered || 0)"))


def wait_for_answer(page, after: int) -> None:
    """Wait until an answer newer than the ``after``-th is drawn and nothing is pending."""
    page.wait_for_function("n => document.body.dataset.state === 'idle' && "
                           "Number(document.body.dataset.answered || 0) > n",
                           arg=after, timeout=ANSWER_MS)


def draw(page, strokes: list[Stroke], steps: int = 3) -> None:
    """Draw ``strokes`` (unit-square polylines) on the pad with the mouse."""
    box = page.locator("#pad").bounding_box()
    for stroke in strokes:
        points = [(box["x"] + x * box["width"], box["y"] + y * box["height"])
                  for x, y in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point, steps=steps)
        page.mouse.up()


def draw_digit(page, digit: int) -> None:
    page.click("#clear")
    before = answered(page)
    draw(page, DIGITS[digit])
    wait_for_answer(page, before)


def shown(page, model: str) -> str:
    return page.inner_text(f"[data-model={model}] .digit")


def bar_widths(page, model: str) -> list[str]:
    return page.eval_on_selector_all(f"[data-model={model}] .fill",
                                     "bars => bars.map(b => b.style.width)")


def canvas_pixels(page, selector: str) -> np.ndarray:
    """The RGBA pixels of a canvas: (H, W, 4) uint8."""
    data = page.eval_on_selector(selector, "c => Array.from(c.getContext('2d')"
                                           ".getImageData(0, 0, c.width, c.height).data)")
    side = int(np.sqrt(len(data) // 4))
    return np.array(data, np.uint8).reshape(side, side, 4)


def test_every_drawn_digit_is_recognised_by_both_models(page):
    for digit in range(10):
        draw_digit(page, digit)
        assert shown(page, "linear") == str(digit), f"drew {digit}"
        assert shown(page, "mlp") == str(digit), f"drew {digit}"


def test_bars_prepared_image_and_evidence_follow_the_drawing(page):
    draw_digit(page, 1)
    one = (bar_widths(page, "linear"), canvas_pixels(page, "[data-model=linear] .prepared"))
    assert float(one[0][1].rstrip("%")) > 50  # the bar of class 1 is the longest
    draw_digit(page, 7)
    seven = (bar_widths(page, "linear"), canvas_pixels(page, "[data-model=linear] .prepared"))
    assert seven[0] != one[0] and float(seven[0][7].rstrip("%")) > 50
    prepared = seven[1][..., 0]
    assert not np.array_equal(prepared, one[1][..., 0])
    assert prepared[0].max() == 0 and prepared.max() == 255  # white ink on black, centred
    evidence = canvas_pixels(page, "[data-model=linear] .evidence-top")[..., :3].astype(int)
    red, blue = evidence[..., 0] - evidence[..., 2], evidence[..., 2] - evidence[..., 0]
    assert red.max() > 100 and blue.max() > 30  # strokes that count for 7 and against it
    assert page.inner_text("[data-model=linear] .top-caption") == "evidence for 7 (top)"


def test_prediction_is_live_while_the_pen_is_down(page):
    page.click("#clear")
    box = page.locator("#pad").bounding_box()
    before = answered(page)
    page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.1 * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.9 * box["height"], steps=30)
    page.wait_for_function("n => Number(document.body.dataset.answered || 0) > n",
                           arg=before, timeout=ANSWER_MS)  # answered before the pen is up
    page.mouse.up()
    wait_for_answer(page, before)
    assert shown(page, "linear") == "1"


def test_clicking_a_class_shows_its_evidence_and_template(page):
    draw_digit(page, 7)
    page.click("[data-model=linear] .bar[data-label='1']")
    assert page.inner_text("[data-model=linear] .pick-caption") == "evidence for 1 (clicked)"
    assert page.inner_text("[data-model=mlp] .pick-caption") == "evidence for 1 (clicked)"
    picked = canvas_pixels(page, "[data-model=linear] .evidence-pick")
    assert (picked[..., :3] < 250).any()  # not blank
    assert page.locator("[data-model=linear] .templates button").count() == 10
    assert page.locator("[data-model=linear] .templates button.is-picked").inner_text() == "1"
    assert page.locator("[data-model=mlp] .templates button").count() == 0
    assert "input × gradient" in page.inner_text("[data-model=mlp] .templates-title")


def off_centre_png(digit: int) -> bytes:
    """The digit in light ink on a dark, wide canvas, far from its centre."""
    drawn = ImageOps.invert(Image.open(io.BytesIO(render(DIGITS[digit], side=160, pen=12))))
    canvas = Image.new("L", (640, 360), 0)
    canvas.paste(drawn, (430, 150))
    buf = io.BytesIO()
    canvas.save(buf, format="PNG")
    return buf.getvalue()


def test_uploaded_images_are_prepared_and_recognised(page):
    before = answered(page)
    page.set_input_files("#upload", files=[{"name": "three.png", "mimeType": "image/png",
                                            "buffer": off_centre_png(3)}])
    wait_for_answer(page, before)
    assert shown(page, "linear") == "3" and shown(page, "mlp") == "3"
    assert page.inner_text("#status") == "uploaded: three.png"


def test_a_file_that_is_not_an_image_is_reported_and_the_page_goes_on(page):
    before = answered(page)
    page.set_input_files("#upload", files=[{"name": "notes.txt", "mimeType": "text/plain",
                                            "buffer": b"these are not pixels\n"}])
    wait_for_answer(page, before)
    status = page.locator("#status")
    assert "not an image file" in status.inner_text()
    assert "error" in status.get_attribute("class")
    expected = "the server responded with a status of 400 (Bad Request)"
    assert all(expected in e for e in page.console_errors) and page.console_errors
    page.console_errors.clear()
    draw_digit(page, 4)
    assert shown(page, "linear") == "4" and page.inner_text("#status") == ""


def test_language_switch_and_lang_parameter(page, mnist_server):
    page.goto(mnist_server.url + "?lang=zh")
    page.wait_for_selector("body[data-ready=true]")
    assert page.inner_text("h1") == "softmax-mnist 看它如何思考"
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.inner_text("#clear") == "清除"
    draw_digit(page, 7)
    assert page.inner_text("[data-model=linear] .top-caption") == "支持 7 的证据（最可能）"
    page.click("#lang-en")
    assert page.inner_text("h1") == "softmax-mnist See it think"
    assert page.inner_text("[data-model=linear] .top-caption") == "evidence for 7 (top)"
    assert page.url.endswith("?lang=en")
    missing = page.evaluate("Object.keys(I18N.en).filter(k => !(k in I18N.zh))"
                            ".concat(Object.keys(I18N.zh).filter(k => !(k in I18N.en)))")
    assert missing == []


def test_screenshots(page, mnist_server, tmp_path):
    """The README's pictures: a 7 with the evidence for 1 beside it, in English and Chinese."""
    out = Path(os.environ.get("SOFTMAX_MNIST_SCREENSHOTS") or tmp_path)
    for lang, name in (("en", "serve.png"), ("zh", "serve_zh.png")):
        page.goto(f"{mnist_server.url}?lang={lang}")
        page.wait_for_selector("body[data-ready=true]")
        draw_digit(page, 7)
        page.click("[data-model=linear] .bar[data-label='1']")
        page.screenshot(path=str(out / name), full_page=True)
        picture = Image.open(out / name)
        assert picture.width == VIEWPORT["width"] and picture.height >= 600
