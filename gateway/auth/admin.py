"""The single admin token of the pre-tenancy gateway: stored hashed, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac

from gateway.errors import Category, GatewayError
from gateway.model import Principal

from .credentials import Credentials, Scheme

ADMIN = Principal("admin", admin=True)


def _digest(secret: str) -> bytes:
    # header values arrive with undecodable bytes kept as surrogates
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).digest()


class AdminTokenVerifier:
    """Accepts the configured token in any scheme: as a token, a bearer, or a password."""

    def __init__(self, token: str) -> None:
        self._digest = _digest(token)  # the token itself is not kept

    def verify(self, credentials: Credentials) -> Principal:
        if credentials.scheme is Scheme.NONE:
            raise GatewayError(Category.UNAUTHORIZED,
                               "unable to parse authentication credentials")
        secret = credentials.secret
        if credentials.scheme is Scheme.MALFORMED or not secret:
            raise GatewayError(Category.UNAUTHORIZED, "authorization failed")
        candidates = [secret]
        if credentials.scheme is Scheme.TOKEN and credentials.username is not None:
            candidates.append(f"{credentials.username}:{secret}")  # a token containing ":"
        matched = False
        for candidate in candidates:
            matched |= hmac.compare_digest(_digest(candidate), self._digest)
        if not matched:
            raise GatewayError(Category.UNAUTHORIZED, "authorization failed")
        return ADMIN
