"""The JSON API.

- ``GET /api/models``: what is served — name, kind ("linear" | "mlp" | "cnn"), layers,
  preprocessing, data set, test accuracy from the model's metadata, explanation method.
- ``GET /api/templates?model=NAME``: a linear model's ten weight templates, each the
  evidence a fully inked pixel gives its class (C × S × S).
- ``POST /api/predict?model=NAME&top=K&evidence=top|all|none|3,8``, body an image file's
  bytes or a JSON 28×28 array (see :mod:`.inputs`): ``prediction`` and ``top`` (as
  ``softmax-mnist predict --json``), ``prepared`` (the 28×28 image the model gets),
  ``seen`` (that image after the model's non-affine image steps, on which the maps are
  drawn; null when there are none), ``method`` and ``evidence`` (one map per requested
  class, see :mod:`softmax_mnist.explain`).

Errors are ``{"error": message}`` with a 4xx status (see :mod:`.app`).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio.to_thread
import numpy as np
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse

from ..data.registry import IMAGE_SIDE
from ..predict import predict_images
from .inputs import PredictQuery, image_from_body, predict_query
from .served import ServedModel

NO_STORE = {"Cache-Control": "no-store"}
EVIDENCE_DECIMALS = 6  # evidence is in logit units, rarely above 1 per pixel


def find_model(request: Request, name: str | None) -> ServedModel:
    """The served model called ``name`` (the first one for None); 404 if there is none."""
    models: dict[str, ServedModel] = request.app.state.models
    if name is None:
        return next(iter(models.values()))
    if name not in models:
        raise HTTPException(404, f"no model {name[:40]!r} is served; the models are "
                                 f"{', '.join(models)}.")
    return models[name]


async def list_models(request: Request) -> JSONResponse:
    return JSONResponse({"models": [m.summary() for m in request.app.state.models.values()]},
                        headers=NO_STORE)


async def templates(request: Request) -> JSONResponse:
    unknown = sorted(set(request.query_params) - {"model"})
    if unknown:
        raise HTTPException(400, f"unknown query parameter {unknown[0]!r}; the parameter is "
                                 f"model.")
    served = find_model(request, request.query_params.get("model"))
    if not served.explainer.linear:
        kind = "an MLP" if served.kind == "mlp" else "a CNN"
        raise HTTPException(404, f"model {served.name!r} is {kind}: it has no weight "
                                 f"templates; its evidence is input × gradient of each image "
                                 f"(POST /api/predict).")
    return JSONResponse({"model": served.name, "classes": list(served.model.classes),
                         "templates": _round(served.explainer.templates())},
                        headers=NO_STORE)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed ``limit`` bytes:
    from its Content-Length before reading, else while the chunks arrive."""
    length = request.headers.get("content-length", "")
    if length.isdecimal() and int(length) > limit:
        raise HTTPException(413)
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise HTTPException(413)
            chunks.append(chunk)
    except ClientDisconnect:
        raise HTTPException(400, "the client went away before sending the whole body.") \
            from None
    return b"".join(chunks)


async def predict(request: Request) -> JSONResponse:
    body = await read_body(request, request.app.state.max_body)
    served = find_model(request, request.query_params.get("model"))
    query = predict_query(request.query_params, len(served.model.classes))
    state = request.app.state
    work = partial(answer, served, body, request.headers.get("content-type", ""), query,
                   state.max_pixels)
    return JSONResponse(await anyio.to_thread.run_sync(work, limiter=state.limiter),
                        headers=NO_STORE)


def answer(served: ServedModel, body: bytes, content_type: str, query: PredictQuery,
           max_pixels: int) -> dict[str, Any]:
    """Decode and prepare the body, classify it and explain it: the predict response."""
    image = image_from_body(body, content_type, max_pixels)
    with served.lock:
        [prediction] = predict_images(served.model, image[None], [""], query.top)
        explanation = served.explainer.explain(image, query.labels(prediction.prediction))
    return {
        "model": served.name,
        "prediction": prediction.prediction,
        "top": prediction.to_dict()["top"],
        "prepared": _pixels(image.reshape(IMAGE_SIDE, IMAGE_SIDE)),
        "seen": _pixels(explanation.seen) if served.explainer.image_steps.steps else None,
        "method": explanation.method,
        "evidence": [{"label": e.label, "class": e.name, "logit": e.logit,
                      "offset": e.offset, "pixels": _round(e.pixels)}
                     for e in explanation.evidence],
    }


def _pixels(image: np.ndarray) -> list:
    """An image as nested lists: whole numbers as ints, others to 3 decimals."""
    rounded = np.round(image, 3)
    return rounded.astype(int).tolist() if np.all(rounded == np.round(image)) \
        else rounded.tolist()


def _round(a: np.ndarray) -> list:
    return np.round(a, EVIDENCE_DECIMALS).tolist()
