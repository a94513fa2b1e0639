"""F7: clients that send their requests slowly do not block anyone else (`trygg serve` uses threaded workers)."""

from __future__ import annotations

import os
import secrets
import socket
import sys
import time
import urllib.request
from pathlib import Path

from tests.deploy.test_reverse_proxy import PUBLIC_URL, _free_port, _running

SLOW_CLIENTS = 6  # three blocked both sync workers of the README's set-up
HALF_HEADERS = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow"
HALF_BODY = (b"POST /logga-in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
             b"Content-Length: 1000\r\n\r\nemail=a")


def test_slow_clients_do_not_block_others(tmp_path: Path, database_url: str, app) -> None:  # app: the schema
    port = _free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("TRYGG_")}
    environment.update({"TRYGG_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": database_url,
                        "TRYGG_PUBLIC_URL": PUBLIC_URL, "XDG_RUNTIME_DIR": str(tmp_path)})
    command = [sys.executable, "-m", "survey_app.cli", "serve", "--port", str(port), "--workers", "2"]
    with _running(command, port=port, log=tmp_path / "gunicorn.log", env=environment):
        slow = []
        for number in range(SLOW_CLIENTS):  # each sends half a request (headers, or a body) and then nothing
            connection = socket.create_connection(("127.0.0.1", port))
            connection.sendall(HALF_HEADERS if number % 2 else HALF_BODY)
            slow.append(connection)
        time.sleep(0.5)
        started = time.monotonic()
        for path in ("/healthz", "/", "/static/css/app.css"):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
                assert answer.status == 200, path
        assert time.monotonic() - started < 5
        for connection in slow:
            connection.close()
