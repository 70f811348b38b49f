"""Query-string helpers shared by the front doors, and whether the caller is still there."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aiohttp import web

from gateway.errors import invalid
from gateway.model import PassCredentials
from translators.lineprotocol import Precision, UnknownPrecision


def boolean(params: Mapping[str, str], name: str, default: bool) -> bool:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise invalid(f"invalid value for {name}: {raw!r}, expected true or false")


def precision(params: Mapping[str, str], generation: str) -> Precision:
    try:
        return Precision.parse(params.get("precision"), generation)
    except UnknownPrecision as exc:
        raise invalid(str(exc)) from None


def pass_credentials(headers: Mapping[str, str], query: Mapping[str, str]) -> PassCredentials:
    """The caller's credentials as sent, for routes that forward them upstream."""
    return PassCredentials(headers.get("Authorization"), query.get("u"), query.get("p"))


def disconnected(request: web.Request) -> Callable[[], bool]:
    """Whether the request's client has gone (its connection closed), asked while a query
    runs: aiohttp does not cancel a handler whose client leaves, so the read looks."""
    return lambda: request.transport is None or request.transport.is_closing()
