"""1.x's quoting rules for identifiers (QuoteIdent) and string literals (QuoteString)."""

from __future__ import annotations

from .tokens import Tok, is_ident_char, is_ident_first_char, lookup


def ident_needs_quotes(ident: str) -> bool:
    """True for keywords and anything that is not a bare identifier (empty included)."""
    if lookup(ident) != Tok.IDENT:
        return True
    for i, ch in enumerate(ident):
        if (i == 0 and not is_ident_first_char(ch)) or (i > 0 and not is_ident_char(ch)):
            return True
    return False


def _escape_ident(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def quote_ident(*segments: str) -> str:
    """Segments joined by dots, each double-quoted when needed (1.x's QuoteIdent)."""
    parts = []
    last = len(segments) - 1
    for i, segment in enumerate(segments):
        quote = ident_needs_quotes(segment) or (i < last and segment != "") \
            or ((i == 0 or i == last) and segment == "")
        text = _escape_ident(segment)
        parts.append(f'"{text}"' if quote else text)
    return ".".join(parts)


def quote_string(text: str) -> str:
    """A single-quoted string literal (1.x's QuoteString)."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
    return f"'{escaped}'"
