"""The one parser of a model server's address.

The address it returns is both what the dashboard's confinement checks and what the client
connects to, so the two can never disagree; anything that could be read two ways is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from unpredict_core.errors import UnpredictError


class InvalidServerURL(UnpredictError):
    """A server URL this app will not connect to (it could be read two ways, or is not http)."""


@dataclass(frozen=True)
class ServerURL:
    """A server's address as it is connected to: scheme, host and port, nothing else."""

    scheme: Literal["http", "https"]
    host: str  # lower case; an IPv6 address without its brackets
    port: int

    @property
    def root(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


# the schemes connected to (each as ServerURL.scheme) and the port each means when none is given
_DEFAULT_PORTS: dict[str, tuple[Literal["http", "https"], int]] = {"http": ("http", 80), "https": ("https", 443)}
_URL_FORBIDDEN = re.compile(r"[\\@\s\x00-\x1f\x7f]")


def parse_server_url(text: str) -> ServerURL:
    """'http://host:8000/v1/', 'HTTP://Host:8000' and 'host:8000' all mean http://host:8000.

    Refused rather than guessed at: a backslash, userinfo (`user@`), whitespace or control
    characters (clients disagree about where such a host ends), a query or fragment, a path other
    than `/v1`, a scheme other than http/https, a missing host or a port outside 1..65535."""
    raw = str(text).strip()
    bad = _URL_FORBIDDEN.search(raw)
    if bad:
        what = {"\\": "a backslash", "@": "a user name (user@host)"}.get(bad.group(), "a space or control character")
        raise InvalidServerURL(f"The server URL {raw!r} contains {what}; write it as http://host:port.")
    if "://" not in raw:
        raw = "http://" + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise InvalidServerURL(f"The server URL {raw!r} is not valid ({exc}); write it as http://host:port.") from None
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        raise InvalidServerURL(f"The server URL {raw!r} is not http or https.")
    scheme, default_port = _DEFAULT_PORTS[parts.scheme.lower()]
    if parts.query or parts.fragment or parts.path.rstrip("/") not in ("", "/v1"):
        raise InvalidServerURL(f"The server URL {raw!r} has a path or query; give only http://host:port.")
    host = (parts.hostname or "").lower()
    if not host:
        raise InvalidServerURL(f"The server URL {raw!r} names no host; write it as http://host:port.")
    return ServerURL(scheme, host, port or default_port)


def normalise_url(url: str) -> str:
    return parse_server_url(url).root
