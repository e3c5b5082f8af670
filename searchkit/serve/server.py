"""Running the app under uvicorn on a socket bound first, so the URL is known (and port 0 works)."""

from __future__ import annotations

import copy
import socket
from typing import Any

import uvicorn
from fastapi import FastAPI

from searchkit.errors import InvalidOptionError


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0 picks a free port); :class:`InvalidOptionError` when the
    address cannot be used."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # proto given explicitly: asyncio turns Nagle off (TCP_NODELAY) only on sockets that say they
        # are TCP, and with Nagle on, every answer on a kept-alive connection waits 40 ms for an ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as error:
        raise InvalidOptionError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def run(app: FastAPI, sock: socket.socket) -> None:
    """Serve ``app`` on ``sock`` until interrupted; access and watch logs go to stderr."""
    config = uvicorn.Config(app, log_config=_log_config(), timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])


def _log_config() -> dict[str, Any]:
    config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"]["searchkit"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
