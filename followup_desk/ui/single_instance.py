"""One window per data folder: a second start hands its command line to the first and leaves.

The first start listens on a local socket named after the app id, the user and the data
folder (two ``FOLLOWUP_DESK_HOME`` folders are two apps). A later start connects, sends its
arguments (an .ics file, a webcal:// link) as one line of JSON, waits for "ok" and exits; the
first brings its window to the front and deals with what it was given. A socket file left by
a crash answers nobody and is removed. Also here: what such an argument is (:func:`what_is`).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PySide6.QtCore import QDir, QObject, QTimer
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

from followup_desk import APP_ID
from followup_desk.paths import AppPaths
from followup_desk.ui.viewmodels.setup import FEED_SCHEMES

log = logging.getLogger(__name__)

CONNECT_MS = 500  # a running instance accepts at once; a stale socket refuses at once
ANSWER_MS = 5000  # the running instance's event loop may be finishing a paint
MAX_MESSAGE = 64 * 1024
HEAD_BYTES = 64 * 1024  # enough of an .ics file to find its METHOD line
_ACK = b"ok\n"
_METHOD = re.compile(rb"^METHOD:([A-Za-z-]+)\s*$", re.MULTILINE | re.IGNORECASE)
_INVITE_METHODS = {"REQUEST", "CANCEL", "ADD", "COUNTER", "DECLINECOUNTER", "REFRESH"}


@dataclass(frozen=True)
class Request:
    """What a second start passed on: its arguments, and its Wayland activation token."""

    args: tuple[str, ...]
    activation_token: str = ""

    def use_activation_token(self) -> None:
        """Wayland only lets a window come forward with the token of the start that asked;
        Qt's Wayland plugin reads it from the environment on the next activateWindow()."""
        if self.activation_token:
            os.environ["XDG_ACTIVATION_TOKEN"] = self.activation_token


class Start(Enum):
    HANDED_OVER = "handed-over"  # another instance has the arguments: exit
    NOT_ANSWERING = "not-answering"  # another instance took the connection but said nothing
    LISTENING = "listening"  # this is the first instance
    ALONE = "alone"  # could not listen: this window opens, later starts open their own


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor the password database
        return ""


def server_name(paths: AppPaths, user: str | None = None) -> str:
    """The socket's name: the app id and a hash of the user and the data folder.

    On Unix it is a full path, in the user's private runtime folder when there is one (nobody
    else can squat on it), else in the temporary folder. Windows names a pipe instead.
    """
    who = _user() if user is None else user
    folder = str(paths.data_dir.expanduser().absolute())
    digest = hashlib.sha256(f"{who}\0{folder}".encode()).hexdigest()[:16]
    name = f"{APP_ID}-{digest}"
    if sys.platform == "win32":
        return name
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    folder_for_socket = runtime if runtime and Path(runtime).is_dir() else QDir.tempPath()
    return str(Path(folder_for_socket) / name)


def encode(request: Request) -> bytes:
    message = {"args": list(request.args), "token": request.activation_token}
    return json.dumps(message).encode("utf-8") + b"\n"


def decode(line: bytes) -> Request | None:
    """The request in one line of JSON, or None when it is not one of ours."""
    try:
        message = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(message, dict):
        return None
    args, token = message.get("args"), message.get("token", "")
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        return None
    return Request(tuple(args), token if isinstance(token, str) else "")


def absolute(arg: str) -> str:
    """A path relative to where the second start ran means nothing to the first: anchor it."""
    if not arg or "://" in arg:
        return arg
    return str(Path(arg).expanduser().absolute())


class SingleInstance(QObject):
    """The listening side (the first start) and the client (any later start)."""

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        if sys.platform == "win32":  # a pipe has no file whose mode could say it
            self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._handler: Callable[[Request], None] | None = None
        self._waiting: list[Request] = []

    def start(self, args: Sequence[str], activation_token: str = "") -> Start:
        """Hand ``args`` to a running instance, or become the one others hand theirs to."""
        request = Request(tuple(absolute(a) for a in args), activation_token)
        handed = self._hand_over(request)
        if handed is not None:
            return handed
        if self._listen():
            return Start.LISTENING
        if self._server.serverError() is QAbstractSocket.SocketError.AddressInUseError:
            handed = self._hand_over(request)  # another start got there a moment ago
            if handed is not None:
                return handed
            log.info("removing a socket nobody answers on (left by a crash)")
            QLocalServer.removeServer(self.name)
            if self._listen():
                return Start.LISTENING
        log.warning("cannot listen for later starts: %s", self._server.errorString())
        return Start.ALONE

    def _listen(self) -> bool:
        if sys.platform == "win32":
            return self._server.listen(self.name)
        # Not UserAccessOption: on Unix Qt then renames its socket over whatever holds the
        # name, a live app's socket included. The umask keeps the socket the user's alone;
        # it is changed before the worker thread exists, so nothing else is creating files.
        previous = os.umask(0o077)
        try:
            return self._server.listen(self.name)
        finally:
            os.umask(previous)

    def on_request(self, handler: Callable[[Request], None]) -> None:
        """Call ``handler`` with each request; those that came before it are handed now."""
        self._handler = handler
        waiting, self._waiting = self._waiting, []
        for request in waiting:
            handler(request)

    def close(self) -> None:
        self._server.close()

    # --- the client ---------------------------------------------------------------------

    def _hand_over(self, request: Request) -> Start | None:
        """HANDED_OVER or NOT_ANSWERING when an instance runs; None when nobody listens."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(CONNECT_MS):
            return None
        socket.write(encode(request))
        socket.flush()
        answer = b""
        while _ACK not in answer and socket.waitForReadyRead(ANSWER_MS):
            answer += socket.readAll().data()
        socket.disconnectFromServer()
        if _ACK in answer:
            log.info("handed %d argument(s) to the open window", len(request.args))
            return Start.HANDED_OVER
        log.warning("the open window took the connection but did not answer")
        return Start.NOT_ANSWERING

    # --- the server ---------------------------------------------------------------------

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            buffer = bytearray()
            socket.readyRead.connect(lambda s=socket, b=buffer: self._read(s, b))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket, buffer: bytearray) -> None:
        buffer += socket.readAll().data()
        if b"\n" not in buffer:
            if len(buffer) > MAX_MESSAGE:
                log.warning("a later start sent more than a message: dropped")
                socket.abort()
            return
        request = decode(bytes(buffer.split(b"\n", 1)[0]))
        buffer.clear()
        socket.write(_ACK)
        socket.flush()
        socket.disconnectFromServer()
        if request is None:
            log.warning("a later start sent a message that is not ours: ignored")
            return
        log.info("a later start passed on %d argument(s)", len(request.args))
        # after this slot returns: the handler may open a dialog with its own event loop
        QTimer.singleShot(0, self, lambda: self._deliver(request))

    def _deliver(self, request: Request) -> None:
        if self._handler is None:
            self._waiting.append(request)  # the window is not built yet (first-run setup)
        else:
            self._handler(request)


# --- what a start of the app was given ------------------------------------------------


class Kind(Enum):
    CALENDAR = "calendar"  # a calendar file or feed: offered as a busy calendar
    NOT_A_CALENDAR = "not-a-calendar"  # a reply, an invitation, a missing file...: a sentence


@dataclass(frozen=True)
class Given:
    kind: Kind
    source: str  # what goes into [free_busy] sources
    name: str  # how the rep knows it: the file's name, or the feed's server
    note: str = ""  # for the status bar, when it is not offered

    @property
    def subject(self) -> str:
        """The name at the start of a sentence (a file's name keeps its spelling)."""
        return self.name[:1].upper() + self.name[1:] if "://" in self.source else self.name


def _not(name: str, note: str) -> Given:
    return Given(Kind.NOT_A_CALENDAR, "", name, note)


def what_is(arg: str) -> Given:
    """Tell a calendar (file or feed) from a reply, an invitation or something else.

    Reads at most the first 64 KiB of a local file (for its METHOD line).
    """
    parts = urlsplit(arg)
    scheme = parts.scheme.lower()
    if scheme == "file" and parts.netloc in ("", "localhost"):
        arg = unquote(parts.path)
    elif len(scheme) > 1:  # a link (one letter is a Windows drive: C:\\...)
        if scheme not in FEED_SCHEMES:
            note = f"Followup Desk opens .ics files and webcal:// links, not {scheme} links."
            return _not(f"a {scheme} link", note)
        if not parts.hostname:
            return _not(arg, "That calendar address names no server.")
        return Given(Kind.CALENDAR, arg, f"the calendar feed at {parts.hostname}")
    path = Path(arg).expanduser()
    name = path.name or arg
    if path.is_dir():
        return _not(name, f"{name} is a folder; open the .ics file in it.")
    try:
        with path.open("rb") as file:
            head = file.read(HEAD_BYTES)
    except FileNotFoundError:
        return _not(name, f"There is no file at {path}.")
    except OSError as exc:
        return _not(name, f"{name} cannot be read: {exc.strerror or exc}.")
    if b"BEGIN:VCALENDAR" not in head.upper():
        return _not(name, f"{name} is not a calendar (.ics) file.")
    found = _METHOD.search(head)
    method = found[1].decode("ascii").upper() if found else ""
    if method == "REPLY":
        return _not(
            name,
            f"{name} is a reply to an invitation: replies are read once calendar accounts exist.",
        )
    if method in _INVITE_METHODS:
        return _not(
            name,
            f"{name} is an invitation, not a calendar: accept it in your calendar program instead.",
        )
    return Given(Kind.CALENDAR, str(path.absolute()), name)
