"""A look at a query's text without parsing it: how many statements, could a statement name a
database, or change what a database holds?

A router relays a query unparsed when its route is decided by the request's own database;
that holds only when no statement names another one. The tests here are lexical and lean
towards "could": a dot or the word ON inside a string, a regex or a quoted name answers True,
and the caller then parses, which is always right, only slower.
"""

from __future__ import annotations

import re

from .parser import GO_SPACE

# CREATE/DROP DATABASE, SHOW DATABASES: statements about databases themselves.
_DATABASE_WORD = re.compile(r"\bdatabases?\b", re.IGNORECASE)
# ON <db> (SHOW ... ON, retention policies, grants) or a qualified name ("db"."rp"."m", db..m,
# rp.m, INTO db.rp.m): a dot with a non-digit on either side, so 0.5 and '...00.123Z' pass.
_ELSEWHERE = re.compile(r"\bon\b|(?<![0-9])\.|\.(?![0-9])", re.IGNORECASE)
# DELETE, DROP ..., CREATE/ALTER RETENTION POLICY: statements that change data or schema.
_CHANGE_WORD = re.compile(r"\b(?:delete|drop|create|alter)\b", re.IGNORECASE)


def names_databases(text: str) -> bool:
    """True when `text` may create, drop or list databases."""
    return _DATABASE_WORD.search(text) is not None


def may_read_elsewhere(text: str) -> bool:
    """True when a statement of `text` may read or name a database (or retention policy) other
    than the request's: an ON clause or a qualified measurement."""
    return _ELSEWHERE.search(text) is not None


def may_change(text: str) -> bool:
    """True when a statement of `text` may change data or schema (a mirror route sends those
    to every write target)."""
    return _CHANGE_WORD.search(text) is not None


# What a statement count steps over whole, as 1.x's scanner reads it: a string, a quoted name,
# a comment to the line's end, a regex after =~ or !~ (`\/` inside is a slash; possessive, so
# that one left open is not ended early); and what it stops at: `;`, and what leaves it unsure
# (a quote left open; a `/` anywhere else, which may be division, a `/* */` comment or a
# regex: 1.x scans one wherever a field, source, call argument or GROUP BY term may start).
_PIECES = re.compile(r"""
    '(?:[^'\\\n]|\\.)*+'
  | "(?:[^"\\\n]|\\.)*+"
  | --[^\n]*+
  | [=!]~[ \t\n]*+/(?:\\/|[^/\n])*+/
  | [;'"/]
""", re.VERBOSE)
_BLANK = " \t\n"  # 1.x's scanner's whitespace; anything else is a token


def statement_count(text: str) -> int | None:
    """How many statements 1.x reads in `text` (empty ones between `;` skipped, as its
    parser skips them), from a scan of its strings, names, comments and regexes alone; None
    when a `/` or an unclosed quote leaves it unsure (the caller then parses)."""
    text = text.strip(GO_SPACE)  # as 1.x's handler trims `q`
    count, filled, position = 0, False, 0
    for match in _PIECES.finditer(text):
        piece = match.group()
        filled = filled or bool(text[position:match.start()].strip(_BLANK))
        position = match.end()
        if piece == ";":
            count, filled = count + filled, False
        elif piece in ("'", '"', "/"):
            return None
        elif not piece.startswith("--"):
            filled = True
    filled = filled or bool(text[position:].strip(_BLANK))
    return count + filled
