"""Run the app with uvicorn on a socket bound beforehand, until Ctrl-C or SIGTERM.

Binding first turns a busy port or an unknown host into one line before any work,
lets ``--port 0`` pick a free port whose URL is then known, and lets ``--open`` start
the browser at once (connections wait in the socket's queue until uvicorn serves).
uvicorn shuts down gracefully on SIGINT and SIGTERM and then raises the signal again
once its own handlers are gone; :func:`run` catches it there and returns it.
"""

from __future__ import annotations

import errno
import ipaddress
import signal
import socket
import threading
import webbrowser
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp
from threadpoolctl import threadpool_limits

from ..errors import SoftmaxMnistError

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
"""The Host headers a loopback server answers (see ``create_app(allowed_hosts=…)``)."""
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
MAX_CONNECTIONS = 64  # more at once get 503 from uvicorn
GRACE_SECONDS = 3  # requests in progress may finish for this long after Ctrl-C


@dataclass(frozen=True)
class Listener:
    """A bound, listening socket and the URL that reaches it."""

    socket: socket.socket
    url: str
    loopback: bool


def bind(host: str, port: int) -> Listener:
    """Listen on ``host``:``port`` (0: a free port); SoftmaxMnistError if that cannot be."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise SoftmaxMnistError(f"--host {host}: not an address of this machine "
                                f"({getattr(exc, 'strerror', exc)}).") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise SoftmaxMnistError(f"port {port} on {host} is in use: choose another with "
                                    f"--port (--port 0 picks a free one).") from None
        raise SoftmaxMnistError(f"cannot listen on {host} port {port} ({exc.strerror}).") \
            from None
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    return Listener(sock, f"http://{shown}:{bound_port}/",
                    ipaddress.ip_address(bound_host).is_loopback)


def run(app: ASGIApp, listener: Listener, *, open_browser: bool = False) -> signal.Signals:
    """Serve ``app`` on ``listener`` until SIGINT or SIGTERM; returns the signal.

    Requests in progress get :data:`GRACE_SECONDS` to finish. BLAS runs on one thread:
    a request's products are tiny, requests run side by side, and BLAS threads spinning
    beside them made a busy machine's MLP answers ten times slower (measured: 16 ms
    instead of 1.8 ms). Call from the main thread.
    """
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            limit_concurrency=MAX_CONNECTIONS,
                            timeout_graceful_shutdown=GRACE_SECONDS)
    server = uvicorn.Server(config)
    caught: list[int] = []
    previous = {sig: signal.signal(sig, lambda sig, frame: caught.append(sig))
                for sig in STOP_SIGNALS}
    try:
        if open_browser:  # a console browser may block: never the server's thread
            threading.Thread(target=webbrowser.open, args=(listener.url,), daemon=True).start()
        if not caught:  # a signal before uvicorn took over still stops it
            with threadpool_limits(limits=1, user_api="blas"):
                server.run(sockets=[listener.socket])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        listener.socket.close()
    return signal.Signals(caught[0]) if caught else signal.SIGTERM
