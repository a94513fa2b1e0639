"""A TCP proxy between the app and its database that can refuse or hang, for benchmarks/load.py (loopback only).

    proxy = FaultProxy(upstream_port=5432); proxy.start()   # the app's DATABASE_URL names proxy.port
    proxy.refuse(10)   # for 10 s: the listening socket is closed (new connections are refused) and every open
                       # connection is cut, as when the database restarts or a firewall resets it
    proxy.hang(10)     # for 10 s: connections are accepted but nothing is passed on in either direction, as when
                       # the database host stops answering; afterwards the bytes held back flow on
    proxy.stop()

Each connection is two threads copying bytes; enough for a benchmark, not for production.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time


class FaultProxy:
    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._hung_until = 0.0
        self._refused_until = 0.0
        self._stopped = threading.Event()
        self.events: list[tuple[float, str]] = []

    # --- control ---------------------------------------------------------------------------------------------

    def start(self) -> int:
        self._listen()
        threading.Thread(target=self._accept_loop, daemon=True).start()
        return self.port

    def stop(self) -> None:
        self._stopped.set()
        self._close_listener()
        self._cut_all()

    def refuse(self, seconds: float) -> None:
        self.events.append((time.monotonic(), f"refuse {seconds:g} s"))
        self._refused_until = time.monotonic() + seconds
        self._close_listener()
        self._cut_all()

    def hang(self, seconds: float) -> None:
        self.events.append((time.monotonic(), f"hang {seconds:g} s"))
        self._hung_until = time.monotonic() + seconds

    @property
    def hung(self) -> bool:
        return time.monotonic() < self._hung_until

    # --- plumbing --------------------------------------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        listener.settimeout(0.2)
        self.port = listener.getsockname()[1]
        self._listener = listener

    def _close_listener(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()

    def _cut_all(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for end in pair:
                with contextlib.suppress(OSError):
                    end.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    end.close()  # linger 0: a reset, not a polite close

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            listener = self._listener
            if listener is None:
                if time.monotonic() >= self._refused_until and not self._stopped.is_set():
                    self._listen()
                else:
                    time.sleep(0.05)
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        while self.hung and not self._stopped.is_set():  # a hung database accepts, then says nothing
            time.sleep(0.05)
        try:
            upstream = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            client.close()
            return
        with self._lock:
            self._pairs.append((client, upstream))
        for source, target in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._copy, args=(source, target), daemon=True).start()

    def _copy(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while not self._stopped.is_set():
                if self.hung:
                    time.sleep(0.05)
                    continue
                ready, _, _ = select.select([source], [], [], 0.2)
                if not ready:
                    continue
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
        except (OSError, ValueError):
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.close()
