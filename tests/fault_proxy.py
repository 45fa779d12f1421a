"""An HTTP/1.1 proxy for tests that makes a network misbehave on demand.

``FaultProxy`` listens on 127.0.0.1 at a random port and forwards each request to one target
server, keeping the client's connection alive. Queued faults apply to the next requests in
arrival order: answer an error without forwarding, forward and then answer an error (the
request landed, the client cannot tell), drop the connection before or after forwarding, or
answer late. It counts requests and bytes so tests can check how chatty a client is.
"""

from __future__ import annotations

import contextlib
import random
import select
import socket
import threading
from collections import deque
from dataclasses import dataclass

__all__ = ["FaultProxy", "ProxiedRequest"]

MAX_HEAD = 64 * 1024
REASONS = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    408: "Request Timeout", 409: "Conflict", 412: "Precondition Failed",
    429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout", 507: "Insufficient Storage",
}  # fmt: skip


class _Closed(Exception):
    """The peer closed the connection (or it broke) before a whole message arrived."""


@dataclass
class _Link:
    """One client connection and the server connection its requests go through."""

    client: _Stream
    upstream: _Stream | None = None


@dataclass(frozen=True)
class _Fault:
    kind: str  # "" (none), "fail", "fail_after_forward", "drop", "drop_after_forward", "delay"
    status: int = 500
    seconds: float = 0.0


@dataclass(frozen=True)
class ProxiedRequest:
    """One request the proxy saw: what it was and what the proxy did with it."""

    method: str
    path: str
    fault: str  # "" when forwarded normally
    forwarded: bool


class _Stream:
    """A socket with a read buffer, enough to cut HTTP/1.1 messages out of it."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def _fill(self) -> None:
        try:
            chunk = self.sock.recv(65536)
        except OSError as error:
            raise _Closed(str(error)) from error
        if not chunk:
            raise _Closed("connection closed")
        self.buffer += chunk

    def read_until(self, marker: bytes, limit: int = MAX_HEAD) -> bytes:
        while (end := self.buffer.find(marker)) < 0:
            if len(self.buffer) > limit:
                raise _Closed("message head too long")
            self._fill()
        end += len(marker)
        data, self.buffer = self.buffer[:end], self.buffer[end:]
        return data

    def read_exact(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def read_to_close(self) -> bytes:
        with contextlib.suppress(_Closed):
            while True:
                self._fill()
        data, self.buffer = self.buffer, b""
        return data

    def read_body(self, head: bytes) -> bytes | None:
        """The raw body after ``head``; None when it is framed by closing the connection."""
        headers = _headers(head)
        if "chunked" in headers.get("transfer-encoding", "").lower():
            parts = []
            while True:
                line = self.read_until(b"\r\n")
                parts.append(line)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while (trailer := self.read_until(b"\r\n")) != b"\r\n":
                        parts.append(trailer)
                    parts.append(trailer)
                    return b"".join(parts)
                parts.append(self.read_exact(size + 2))
        if "content-length" in headers:
            return self.read_exact(int(headers["content-length"]))
        return None


def _headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    found = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if sep:
            found[name.strip().lower()] = value.strip()
    return found


def _error_response(status: int) -> bytes:
    body = f"{status} injected by FaultProxy\n".encode()
    reason = REASONS.get(status, "Error")
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


class FaultProxy:
    """A threaded HTTP/1.1 proxy from 127.0.0.1:random to ``target_host:target_port``."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.requests = 0
        self.connections = 0  # client connections accepted
        self.bytes_up = 0
        self.bytes_down = 0
        self.history: list[ProxiedRequest] = []
        self._faults: deque[_Fault] = deque()
        self._random: random.Random | None = None
        self._random_rate = 0.0
        self._random_delay = 0.0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._acceptor = threading.Thread(target=self._accept_loop, name="FaultProxy", daemon=True)
        self._acceptor.start()

    @classmethod
    def to_url(cls, url: str) -> FaultProxy:
        """A proxy in front of the server at ``url`` (only its host and port are used)."""
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        return cls(parts.hostname or "127.0.0.1", parts.port or 80)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def via(self, server_url: str) -> str:
        """``server_url`` with its scheme, host and port replaced by the proxy's."""
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(server_url)
        return urlunsplit(("http", f"127.0.0.1:{self.port}", parts.path, parts.query, ""))

    # -- what tests call --------------------------------------------------------------------

    def reset_counters(self) -> None:
        with self._lock:
            self.requests = self.connections = self.bytes_up = self.bytes_down = 0
            self.history.clear()

    def fail_next(self, n: int = 1, status: int = 500) -> None:
        """Answer the next ``n`` requests with ``status``; the server never sees them."""
        self._queue(n, _Fault("fail", status))

    def fail_after_forward_next(self, n: int = 1, status: int = 500) -> None:
        """Forward the next ``n`` requests (they land), but answer the client ``status``."""
        self._queue(n, _Fault("fail_after_forward", status))

    def drop_next(self, n: int = 1) -> None:
        """Close the client's connection on the next ``n`` requests, before forwarding."""
        self._queue(n, _Fault("drop"))

    def drop_after_forward_next(self, n: int = 1) -> None:
        """Forward the next ``n`` requests (they land), then close without an answer."""
        self._queue(n, _Fault("drop_after_forward"))

    def delay_next(self, n: int = 1, seconds: float = 1.0) -> None:
        """Forward the next ``n`` requests, then wait ``seconds`` before answering."""
        self._queue(n, _Fault("delay", seconds=seconds))

    def set_random_faults(self, rate: float, seed: int, *, delay: float = 0.2) -> None:
        """Give a fraction ``rate`` of later requests a random fault, the same for a seed.

        Queued faults go first. ``rate=0`` turns random faults off.
        """
        with self._lock:
            self._random = random.Random(seed) if rate > 0 else None
            self._random_rate = rate
            self._random_delay = delay

    def stop(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        self._acceptor.join(timeout=5)
        with self._lock:
            sockets = list(self._sockets)
            threads = list(self._threads)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(timeout=5)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- inside -----------------------------------------------------------------------------

    def _queue(self, n: int, fault: _Fault) -> None:
        with self._lock:
            self._faults.extend([fault] * n)

    def _next_fault(self) -> _Fault | None:
        with self._lock:
            if self._faults:
                return self._faults.popleft()
            rng = self._random
            if rng is None or rng.random() >= self._random_rate:
                return None
            kind = rng.choice(["fail", "fail_after_forward", "drop", "drop_after_forward",
                               "delay"])  # fmt: skip
            status = rng.choice([500, 502, 503])
            return _Fault(kind, status, self._random_delay)

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                ready, _, _ = select.select([self._listener], [], [], 0.1)
                if not ready:
                    continue
                client, _ = self._listener.accept()
            except (OSError, ValueError):  # closed by stop()
                return
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            with self._lock:
                self.connections += 1
                self._sockets.add(client)
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        link = _Link(_Stream(client))
        try:
            while not self._stopping.is_set():
                self._one_request(link)
        except (_Closed, ValueError):  # ValueError: a message that is not HTTP/1.1
            pass
        finally:
            self._close(client)
            if link.upstream is not None:
                self._close(link.upstream.sock)

    def _one_request(self, link: _Link) -> None:
        """Serve one request from the client, applying the next fault if there is one."""
        head = link.client.read_until(b"\r\n\r\n")
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        method, _, rest = request_line.partition(" ")
        path = rest.rpartition(" ")[0]
        headers = _headers(head)
        if headers.get("expect", "").lower() == "100-continue":
            self._answer(link.client, b"HTTP/1.1 100 Continue\r\n\r\n", count=False)
            lines = head[:-4].split(b"\r\n")
            head = b"".join(x + b"\r\n" for x in lines if not x.lower().startswith(b"expect:"))
            head += b"\r\n"
        body = link.client.read_body(head) or b""
        with self._lock:
            self.requests += 1
            self.bytes_up += len(head) + len(body)
        fault = self._next_fault() or _Fault("")
        with self._lock:
            forwarded = fault.kind not in ("fail", "drop")
            self.history.append(ProxiedRequest(method, path, fault.kind, forwarded))
        if fault.kind == "drop":
            raise _Closed("dropped on purpose")
        if fault.kind == "fail":
            self._answer(link.client, _error_response(fault.status))
            return
        response, close_client = self._forward(link, head + body, method)
        if fault.kind == "drop_after_forward":
            raise _Closed("dropped on purpose")
        if fault.kind == "fail_after_forward":
            response, close_client = _error_response(fault.status), False
        elif fault.kind == "delay" and self._stopping.wait(fault.seconds):
            raise _Closed("stopping")
        self._answer(link.client, response)
        if close_client:
            raise _Closed("the server ended the response by closing")

    def _answer(self, client: _Stream, response: bytes, *, count: bool = True) -> None:
        # Counted before sending: once sent, the client may read the counters at once.
        if count:
            with self._lock:
                self.bytes_down += len(response)
        try:
            client.sock.sendall(response)
        except OSError as error:
            raise _Closed(str(error)) from error

    def _forward(self, link: _Link, request: bytes, method: str) -> tuple[bytes, bool]:
        """Send the request upstream and read the whole response.

        Returns the response and whether the client's connection must close too (the
        response said so, or the server ended it by closing). A kept-alive connection the
        server closed meanwhile is retried once on a fresh one (as HTTP clients do); a fresh
        connection that fails is not, so the server never gets a request twice.
        """
        while True:
            reused = link.upstream is not None
            if link.upstream is None:
                link.upstream = self._connect()
            upstream = link.upstream
            try:
                upstream.sock.sendall(request)
                head = upstream.read_until(b"\r\n\r\n")
            except (_Closed, OSError):
                self._close(upstream.sock)
                link.upstream = None
                if not reused:  # a fresh connection failed: never send a request twice
                    raise _Closed("the server closed the connection") from None
                continue
            status = int(head.split(b" ", 2)[1])
            headers = _headers(head)
            if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
                body: bytes | None = b""
            else:
                body = upstream.read_body(head)
            connection = headers.get("connection", "").lower()
            # HTTP/1.0 servers (Radicale's own) close after each answer unless they say not to
            keep = body is not None and (
                connection == "keep-alive"
                if head.startswith(b"HTTP/1.0")
                else connection != "close"
            )
            if body is None:
                body = upstream.read_to_close()
            if not keep:
                self._close(upstream.sock)
                link.upstream = None
            return head + body, not keep

    def _connect(self) -> _Stream:
        try:
            sock = socket.create_connection(self.target, timeout=30)
        except OSError as error:
            raise _Closed(f"cannot reach {self.target}: {error}") from error
        with self._lock:
            self._sockets.add(sock)
        return _Stream(sock)

    def _close(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
