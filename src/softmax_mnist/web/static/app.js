"use strict";
// The page of softmax-mnist serve. The drawing goes to the server as a PNG, where it is
// prepared by the same code as `softmax-mnist predict`; this file only draws what the
// JSON API answers. Text from the server is always set with textContent, never as HTML.
(() => {
  const I18N = window.I18N;
  const INK = "#15171c";
  const PAPER = "#ffffff";
  const STROKE = 18; // pixels on the 280×280 pad: about MNIST's stroke after scaling
  const THROTTLE_MS = 150; // while drawing, at most one request per model this often
  const FOR = [214, 39, 40];
  const AGAINST = [31, 119, 180];

  const state = {
    lang: pickLanguage(),
    models: [], // GET /api/models
    cards: new Map(), // model name -> its card element
    results: new Map(), // model name -> the last predict answer
    templates: new Map(), // model name -> GET /api/templates answer
    picked: null, // the clicked class label, for every model
    source: null, // null (nothing to send), "pad", or an uploaded File
    busy: false,
    pending: false,
    timer: 0,
    generation: 0, // bumped by Clear and uploads: older answers are dropped
    answered: 0,
  };

  const pad = document.getElementById("pad");
  const padContext = pad.getContext("2d");
  const statusLine = document.getElementById("status");

  // -- language -------------------------------------------------------------------------

  function pickLanguage() {
    const asked = new URLSearchParams(location.search).get("lang");
    if (asked && I18N[asked]) return asked;
    return (navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en";
  }

  function t(key, values = {}) {
    const text = I18N[state.lang][key] ?? I18N.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
  }

  function applyLanguage() {
    document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
    document.title = t("page_title");
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll("[data-i18n-label]")) {
      el.setAttribute("aria-label", t(el.dataset.i18nLabel));
    }
    for (const button of document.querySelectorAll(".lang button")) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
    }
    for (const model of state.models) renderCard(model);
  }

  function setLanguage(lang) {
    state.lang = lang;
    const url = new URL(location.href);
    url.searchParams.set("lang", lang);
    history.replaceState(null, "", url);
    applyLanguage();
  }

  function setStatus(text, isError = false) {
    statusLine.textContent = text;
    statusLine.classList.toggle("error", isError);
  }

  // -- the drawing pad --------------------------------------------------------------------

  function clearPad() {
    padContext.fillStyle = PAPER;
    padContext.fillRect(0, 0, pad.width, pad.height);
  }

  function padPoint(event) {
    const box = pad.getBoundingClientRect();
    return [(event.clientX - box.left) * pad.width / box.width,
            (event.clientY - box.top) * pad.height / box.height];
  }

  function stroke(from, to) {
    padContext.strokeStyle = INK;
    padContext.lineWidth = STROKE;
    padContext.lineCap = "round";
    padContext.lineJoin = "round";
    padContext.beginPath();
    padContext.moveTo(...from);
    padContext.lineTo(...to);
    padContext.stroke();
  }

  let lastPoint = null;
  pad.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    pad.setPointerCapture(event.pointerId);
    lastPoint = padPoint(event);
    stroke(lastPoint, lastPoint);
    state.source = "pad";
    schedule();
  });
  pad.addEventListener("pointermove", (event) => {
    if (!lastPoint) return;
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const e of events.length ? events : [event]) {
      const point = padPoint(e);
      stroke(lastPoint, point);
      lastPoint = point;
    }
    schedule();
  });
  for (const type of ["pointerup", "pointercancel"]) {
    pad.addEventListener(type, () => {
      if (!lastPoint) return;
      lastPoint = null;
      update();
    });
  }

  document.getElementById("clear").addEventListener("click", () => {
    clearPad();
    state.source = null;
    state.generation += 1;
    state.results.clear();
    setStatus("");
    for (const model of state.models) renderCard(model);
  });

  const upload = document.getElementById("upload");
  upload.addEventListener("change", () => {
    const file = upload.files[0];
    upload.value = ""; // choosing the same file again is a change too
    if (!file) return;
    state.source = file;
    state.generation += 1;
    showOnPad(file);
    update();
  });

  async function showOnPad(file) {
    clearPad();
    try {
      const bitmap = await createImageBitmap(file);
      const scale = Math.min(pad.width / bitmap.width, pad.height / bitmap.height);
      const w = bitmap.width * scale;
      const h = bitmap.height * scale;
      padContext.drawImage(bitmap, (pad.width - w) / 2, (pad.height - h) / 2, w, h);
    } catch {
      // a format this browser cannot show (TIFF …): the server may still read it
    }
  }

  // -- asking the server ------------------------------------------------------------------

  // body[data-state] is "busy" from the first stroke until the last answer is drawn
  function setBusy(busy) {
    document.body.dataset.state = busy ? "busy" : "idle";
  }

  function schedule() {
    if (!state.timer) state.timer = setTimeout(update, THROTTLE_MS);
    setBusy(true);
  }

  async function update() {
    clearTimeout(state.timer);
    state.timer = 0;
    if (state.busy) {
      state.pending = true;
      return;
    }
    if (!state.source) {
      setBusy(false);
      return;
    }
    state.busy = true;
    setBusy(true);
    const generation = state.generation;
    const source = state.source;
    try {
      const body = source === "pad" ? await new Promise((ok) => pad.toBlob(ok, "image/png")) : source;
      const answers = await Promise.all(state.models.map((m) => ask(m.name, body)));
      if (generation !== state.generation) return;
      const failed = answers.find((a) => !a.data);
      answers.forEach((answer, i) => {
        if (answer.data) state.results.set(state.models[i].name, answer.data);
      });
      if (failed) setStatus(failed.offline ? t("offline") : t("error", { message: failed.error }), true);
      else setStatus(source === "pad" ? "" : t("uploaded", { name: source.name }));
      for (const model of state.models) renderCard(model);
      state.answered += 1;
      document.body.dataset.answered = String(state.answered);
    } finally {
      state.busy = false;
      if (state.pending) {
        state.pending = false;
        update();
      } else if (!state.timer) {
        setBusy(false);
      }
    }
  }

  async function ask(name, body) {
    const url = `/api/predict?model=${encodeURIComponent(name)}&top=10&evidence=all`;
    try {
      const response = await fetch(url, {
        method: "POST",
        body,
        headers: { "Content-Type": body.type || "application/octet-stream" },
      });
      const data = await response.json().catch(() => ({ error: response.statusText }));
      return response.ok ? { data } : { error: data.error || response.statusText };
    } catch {
      return { offline: true };
    }
  }

  // -- drawing answers --------------------------------------------------------------------

  function buildCard(model) {
    const card = document.getElementById("card-template").content.firstElementChild.cloneNode(true);
    card.dataset.model = model.name;
    card.dataset.kind = model.kind;
    const bars = card.querySelector(".bars");
    model.classes.forEach((name, label) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "bar";
      button.dataset.label = String(label);
      const text = document.createElement("span");
      text.className = "label";
      text.textContent = name;
      const track = document.createElement("span");
      track.className = "track";
      const fill = document.createElement("span");
      fill.className = "fill";
      track.append(fill);
      const percent = document.createElement("span");
      percent.className = "pct";
      button.append(text, track, percent);
      button.addEventListener("click", () => pick(label));
      item.append(button);
      bars.append(item);
    });
    document.getElementById("models").append(card);
    state.cards.set(model.name, card);
  }

  function pick(label) {
    state.picked = label;
    for (const model of state.models) renderCard(model);
  }

  function percent(p) {
    return `${(100 * p).toFixed(p >= 0.9995 || p < 0.0005 ? 0 : 1)}\u00a0%`;
  }

  function renderCard(model) {
    const card = state.cards.get(model.name);
    if (!card) return;
    const result = state.results.get(model.name);
    const accuracy = model.test_accuracy == null ? t("accuracy_unknown")
      : t("accuracy", { acc: `${(100 * model.test_accuracy).toFixed(2)}\u00a0%` });
    card.querySelector(".name").textContent = model.name;
    card.querySelector(".meta").textContent =
      [t(`kind_${model.kind}`), model.layers, model.preprocess, accuracy].join(" · ");
    card.querySelector(".method").textContent =
      t(model.explanation === "exact" ? "method_exact" : "method_gradient");
    renderTemplates(model, card);

    const probabilities = new Array(model.classes.length).fill(0);
    for (const entry of result ? result.top : []) probabilities[entry.label] = entry.probability;
    for (const bar of card.querySelectorAll(".bar")) {
      const label = Number(bar.dataset.label);
      bar.querySelector(".fill").style.width = `${(100 * probabilities[label]).toFixed(1)}%`;
      bar.querySelector(".pct").textContent = result ? percent(probabilities[label]) : "";
      bar.classList.toggle("is-top", Boolean(result) && label === result.prediction);
      bar.classList.toggle("is-picked", label === state.picked);
      bar.setAttribute("aria-pressed", String(label === state.picked));
    }
    const digit = card.querySelector(".digit");
    digit.textContent = result ? result.top[0].class : "?";
    digit.classList.toggle("is-empty", !result);
    card.querySelector(".confidence").textContent = result ? percent(result.top[0].probability) : "";

    const seenFigure = card.querySelector(".seen-figure");
    seenFigure.hidden = !(result && result.seen);
    if (result && result.seen) {
      drawGray(card.querySelector(".seen"), result.seen);
      card.querySelector(".seen-caption").textContent = t("seen", { steps: model.image_steps });
    }
    drawGray(card.querySelector(".prepared"), result ? result.prepared : null);
    const evidence = new Map((result ? result.evidence : []).map((e) => [e.label, e]));
    const scale = result ? colourScale(result.evidence.map((e) => e.pixels)) : 1;
    const top = result ? evidence.get(result.prediction) : null;
    drawEvidence(card.querySelector(".evidence-top"), top ? top.pixels : null, scale);
    card.querySelector(".top-caption").textContent =
      t("evidence_top", { c: top ? top.class : "–" });
    card.querySelector(".sum").textContent = top ? t(
      model.explanation === "exact" ? "sum_exact" : "sum_gradient",
      { c: top.class, logit: top.logit.toFixed(2), sum: (top.logit - top.offset).toFixed(2),
        offset: `${top.offset < 0 ? "−" : "+"} ${Math.abs(top.offset).toFixed(2)}` }) : "";
    const picked = evidence.get(state.picked);
    drawEvidence(card.querySelector(".evidence-pick"), picked ? picked.pixels : null, scale);
    card.querySelector(".pick-caption").textContent =
      picked ? t("evidence_pick", { c: picked.class }) : t("evidence_none");
  }

  function renderTemplates(model, card) {
    card.querySelector(".templates-title").textContent =
      t(model.kind === "linear" ? "templates" : "no_templates");
    const box = card.querySelector(".templates");
    const answer = state.templates.get(model.name);
    if (!answer || box.childElementCount) {
      for (const button of box.children) {
        button.classList.toggle("is-picked", Number(button.dataset.label) === state.picked);
      }
      return;
    }
    const scale = colourScale(answer.templates);
    answer.templates.forEach((pixels, label) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.label = String(label);
      const canvas = document.createElement("canvas");
      drawEvidence(canvas, pixels, scale);
      const name = document.createElement("span");
      name.textContent = answer.classes[label];
      button.append(canvas, name);
      button.addEventListener("click", () => pick(label));
      box.append(button);
    });
  }

  async function loadTemplates(model) {
    try {
      const response = await fetch(`/api/templates?model=${encodeURIComponent(model.name)}`);
      if (!response.ok) return;
      state.templates.set(model.name, await response.json());
      renderCard(model);
    } catch {
      // the page works without templates
    }
  }

  // The colour scale of maps: the 99th percentile of their non-zero |values|, so that
  // a few extreme pixels do not leave all others pale (those few saturate).
  function colourScale(maps) {
    const values = [];
    for (const rows of maps) for (const row of rows) for (const v of row) if (v) values.push(Math.abs(v));
    if (!values.length) return 1;
    values.sort((a, b) => a - b);
    return values[Math.floor(0.99 * (values.length - 1))] || 1;
  }

  function paint(canvas, rows, colour, empty) {
    const side = rows ? rows.length : 28;
    canvas.width = side;
    canvas.height = side;
    const context = canvas.getContext("2d");
    const image = context.createImageData(side, side);
    for (let i = 0; i < side; i += 1) {
      for (let j = 0; j < side; j += 1) {
        const [r, g, b] = rows ? colour(rows[i][j]) : empty;
        image.data.set([r, g, b, 255], 4 * (i * side + j));
      }
    }
    context.putImageData(image, 0, 0);
  }

  function drawGray(canvas, rows) {
    paint(canvas, rows, (v) => {
      const level = Math.max(0, Math.min(255, Math.round(v)));
      return [level, level, level];
    }, [0, 0, 0]);
  }

  function drawEvidence(canvas, rows, scale) {
    paint(canvas, rows, (v) => {
      const strength = Math.min(1, Math.abs(v) / scale) ** 0.6;
      const hue = v >= 0 ? FOR : AGAINST;
      return hue.map((c) => Math.round(255 + (c - 255) * strength));
    }, [255, 255, 255]);
  }

  // -- start ------------------------------------------------------------------------------

  async function start() {
    clearPad();
    for (const button of document.querySelectorAll(".lang button")) {
      button.addEventListener("click", () => setLanguage(button.dataset.lang));
    }
    applyLanguage();
    try {
      const response = await fetch("/api/models");
      state.models = (await response.json()).models;
    } catch {
      setStatus(t("offline"), true);
      return;
    }
    for (const model of state.models) buildCard(model);
    applyLanguage();
    await Promise.all(state.models.filter((m) => m.kind === "linear").map(loadTemplates));
    setBusy(false);
    document.body.dataset.ready = "true";
  }

  start();
})();
