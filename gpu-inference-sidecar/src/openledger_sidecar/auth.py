"""The shared secret of the Flight port: a bearer token checked on every call.

Who may talk to the sidecar decides whether duplicates are found: a caller that can `reset` every
index, or say `ready` without re-seeding, makes the attribution job miss matches. On loopback only
processes of the same machine reach the port (the embedded default, open without a token); on any
other address a token is required, and a server started there without one refuses to start.

Every Flight call (actions, DoExchange, DoGet, DoPut, listings) must carry the header
`authorization: Bearer <token>`; the server compares it in constant time (`hmac.compare_digest`)
before the call reads anything else and answers `FlightUnauthenticatedError` otherwise. The token
comes from a file (`--token-file`, `OPENLEDGER_SIDECAR_TOKEN_FILE`) or the environment
(`OPENLEDGER_SIDECAR_TOKEN`); it is never logged nor echoed in an error.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os

import pyarrow.flight as flight

log = logging.getLogger(__name__)

TOKEN_ENV = "OPENLEDGER_SIDECAR_TOKEN"
TOKEN_FILE_ENV = "OPENLEDGER_SIDECAR_TOKEN_FILE"
MIN_TOKEN_LENGTH = 16
HEADER = "authorization"


class TokenError(ValueError):
    """A token that is missing where one is required, or not usable as one (never shows it)."""


def is_loopback(host: str) -> bool:
    """True only for `localhost` and loopback IP literals: any other name or address (0.0.0.0, a
    hostname, an interface address) may be reachable from other machines or containers."""
    name = host.strip().strip("[]")
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_token(token: str) -> str:
    """A token fit for an HTTP header: printable ASCII without spaces, long enough not to be guessed."""
    if len(token) < MIN_TOKEN_LENGTH:
        raise TokenError(f"the sidecar token must be at least {MIN_TOKEN_LENGTH} characters long")
    if not all(0x21 <= ord(c) <= 0x7E for c in token):
        raise TokenError("the sidecar token must be printable ASCII without spaces")
    return token


def load_token(token_file: str | None = None, environ: dict[str, str] | None = None) -> str | None:
    """The token from `token_file` (or OPENLEDGER_SIDECAR_TOKEN_FILE), else OPENLEDGER_SIDECAR_TOKEN;
    None when neither is set. A trailing newline of the file is not part of the token."""
    env = os.environ if environ is None else environ
    path = token_file or env.get(TOKEN_FILE_ENV) or None
    if path:
        try:
            with open(path, encoding="ascii") as f:
                token = f.read().strip()
        except (OSError, UnicodeDecodeError) as e:
            raise TokenError(f"cannot read the sidecar token file {path}: {type(e).__name__}") from None
        if not token:
            raise TokenError(f"the sidecar token file {path} is empty")
        return check_token(token)
    token = env.get(TOKEN_ENV, "").strip()
    return check_token(token) if token else None


def require_token_off_loopback(host: str, token: str | None) -> None:
    if token is None and not is_loopback(host):
        raise TokenError(
            f"the sidecar binds {host}, which is not loopback, and has no token: any host or container "
            f"that reaches the port could reset its indexes. Set {TOKEN_ENV} (or --token-file / "
            f"{TOKEN_FILE_ENV}) to a shared secret of at least {MIN_TOKEN_LENGTH} characters, and give "
            "the Flink job the same token; or bind 127.0.0.1"
        )


def bearer(token: str) -> tuple[bytes, bytes]:
    """The header a client sends (pyarrow call options take it as bytes)."""
    return HEADER.encode(), f"Bearer {token}".encode()


class BearerTokenMiddlewareFactory(flight.ServerMiddlewareFactory):
    """Refuses every call whose `authorization` header is not exactly `Bearer <token>`."""

    def __init__(self, token: str, refused=None) -> None:
        super().__init__()
        self._expected = f"Bearer {check_token(token)}".encode()
        self._refused = refused or (lambda method: None)

    def start_call(self, info, headers):
        values = headers.get(HEADER, [])
        presented = values[0] if len(values) == 1 else b""
        if isinstance(presented, str):
            presented = presented.encode("utf-8", "replace")
        if not hmac.compare_digest(presented, self._expected):
            method = getattr(info.method, "name", str(info.method)).lower()
            self._refused(method)
            log.debug("refused a call without the right token method=%s", method)
            raise flight.FlightUnauthenticatedError(
                "[unauthenticated] the sidecar requires the header 'authorization: Bearer <token>' "
                f"with its shared token ({TOKEN_ENV})"
            )
        return None


__all__ = [
    "BearerTokenMiddlewareFactory",
    "TokenError",
    "TOKEN_ENV",
    "TOKEN_FILE_ENV",
    "bearer",
    "check_token",
    "is_loopback",
    "load_token",
    "require_token_off_loopback",
]
