"""The few InfluxQL statements the gateway understands before the full InfluxQL parser lands.

Telegraf's v1 output sends `CREATE DATABASE "name"` at start-up; clients list databases with
`SHOW DATABASES`. Anything else is reported as not supported yet, never guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_IDENT = r'"(?:[^"\\]|\\.)*"|[A-Za-z_\u00c0-\uffff][A-Za-z0-9_\u00c0-\uffff]*'
_CREATE = re.compile(rf"\s*CREATE\s+DATABASE\s+(?P<name>{_IDENT})(?P<rest>\s+WITH\s+.*)?\s*",
                     re.IGNORECASE | re.DOTALL)
_SHOW = re.compile(r"\s*SHOW\s+DATABASES\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CreateDatabase:
    name: str


@dataclass(frozen=True, slots=True)
class ShowDatabases:
    pass


@dataclass(frozen=True, slots=True)
class Unsupported:
    text: str


Statement = CreateDatabase | ShowDatabases | Unsupported


def split_statements(text: str) -> list[str]:
    """Split on semicolons outside quotes and regexes; empty statements are dropped."""
    parts: list[str] = []
    current: list[str] = []
    quote: str | None = None
    escaped = False
    for ch in text:
        if quote:
            current.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch == ";":
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _unquote(ident: str) -> str:
    if ident.startswith('"'):
        return re.sub(r"\\(.)", r"\1", ident[1:-1])
    return ident


def parse_statement(text: str) -> Statement:
    match = _CREATE.fullmatch(text)
    if match:
        return CreateDatabase(_unquote(match["name"]))
    if _SHOW.fullmatch(text):
        return ShowDatabases()
    return Unsupported(text)
