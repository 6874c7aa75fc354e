"""``softmax-mnist serve``: a page to draw digits on and watch the models decide, and the
JSON API it uses. Needs the optional extra ``pip install 'softmax-mnist[web]'``.

- ``served``: a served model (model, explainer, name, lock) and the names of model files;
- ``inputs``: a request's query and body -> one MNIST-style image, every mistake a 4xx;
- ``api``: the JSON endpoints;
- ``app``: ``create_app`` — routes, the page's assets (read once, never a path from a
  request), security headers, JSON errors;
- ``server``: runs the app with uvicorn on a socket bound first; stops on Ctrl-C/SIGTERM;
- ``static/``: the page (plain HTML, CSS and JavaScript; nothing from the network).
"""

from .app import create_app
from .served import ServedModel, load_models

__all__ = ["ServedModel", "create_app", "load_models"]
