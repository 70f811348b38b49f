"""Statements 1.x parses that the gateway does not run: users, privileges, continuous queries,
subscriptions, shards, queries, stats and diagnostics.

Each is parsed as 1.6.7 parses it, so a malformed one fails with 1.x's error text; a valid one
becomes an `OtherStatement` naming it, for the executor to refuse clearly.
"""

from __future__ import annotations

from . import ast
from .clauses import (
    accept,
    parse_duration_value,
    parse_string,
    parse_string_list,
    parse_tokens,
    parse_uint64,
)
from .durations import format_duration
from .errors import InfluxQLParseError, plain, unexpected
from .expr import parse_ident
from .lexer import Tok, TokenStream, tokstr
from .select import Target, group_by_interval, has_call, parse_select


def _other(kind: str) -> ast.OtherStatement:
    return ast.OtherStatement(kind)


def _expect(p: TokenStream, want: Tok, text: str | None = None) -> None:
    tok, pos, lit = p.scan_ws()
    if tok != want:
        raise unexpected(tokstr(tok, lit), [text or want.text], pos)


def parse_create_user(p: TokenStream) -> ast.OtherStatement:
    parse_ident(p)
    parse_tokens(p, [Tok.WITH, Tok.PASSWORD])
    parse_string(p)
    if accept(p, Tok.WITH):
        parse_tokens(p, [Tok.ALL, Tok.PRIVILEGES])
    return _other("CREATE USER")


def parse_drop_user(p: TokenStream) -> ast.OtherStatement:
    parse_ident(p)
    return _other("DROP USER")


def _privilege(p: TokenStream) -> Tok:
    tok, pos, lit = p.scan_ws()
    if tok in (Tok.READ, Tok.WRITE):
        return tok
    if tok == Tok.ALL:
        accept(p, Tok.PRIVILEGES)
        return tok
    raise unexpected(tokstr(tok, lit), ["READ", "WRITE", "ALL [PRIVILEGES]"], pos)


def _grant_or_revoke(p: TokenStream, kind: str, to: Tok) -> ast.OtherStatement:
    """GRANT priv ON db TO user | GRANT ALL TO user, and REVOKE with FROM in place of TO."""
    privilege = _privilege(p)
    tok, pos, lit = p.scan_ws()
    if tok == Tok.ON:
        parse_ident(p)
        _expect(p, to)
        parse_ident(p)
        return _other(kind)
    if tok == to:
        if privilege != Tok.ALL:
            raise unexpected(tokstr(tok, lit), ["ON"], pos)
        parse_ident(p)
        return _other(kind)
    expected = ["ON", to.text] if privilege == Tok.ALL else ["ON"]
    raise unexpected(tokstr(tok, lit), expected, pos)


def parse_grant(p: TokenStream) -> ast.OtherStatement:
    return _grant_or_revoke(p, "GRANT", Tok.TO)


def parse_revoke(p: TokenStream) -> ast.OtherStatement:
    return _grant_or_revoke(p, "REVOKE", Tok.FROM)


def parse_set_password(p: TokenStream) -> ast.OtherStatement:
    parse_ident(p)
    _expect(p, Tok.EQ)
    parse_string(p)
    return _other("SET PASSWORD")


def parse_show_grants(p: TokenStream) -> ast.OtherStatement:
    parse_ident(p)
    return _other("SHOW GRANTS")


def parse_kill_query(p: TokenStream) -> ast.OtherStatement:
    parse_uint64(p)
    if accept(p, Tok.ON):
        parse_ident(p)
    return _other("KILL QUERY")


def parse_drop_shard(p: TokenStream) -> ast.OtherStatement:
    parse_uint64(p)
    return _other("DROP SHARD")


def parse_show_stats(p: TokenStream) -> ast.OtherStatement:
    if accept(p, Tok.FOR):
        parse_string(p)
    return _other("SHOW STATS")


def parse_show_diagnostics(p: TokenStream) -> ast.OtherStatement:
    if accept(p, Tok.FOR):
        parse_string(p)
    return _other("SHOW DIAGNOSTICS")


def _on_db_dot_rp(p: TokenStream) -> None:
    """`ON db.rp` with the dot right after the database name, as 1.x requires."""
    _expect(p, Tok.ON)
    parse_ident(p)
    tok, pos, lit = p.scan()
    if tok != Tok.DOT:
        raise unexpected(tokstr(tok, lit), ["."], pos)
    parse_ident(p)


def parse_create_subscription(p: TokenStream) -> ast.OtherStatement:
    parse_ident(p)
    _on_db_dot_rp(p)
    _expect(p, Tok.DESTINATIONS)
    tok, pos, lit = p.scan_ws()
    if tok not in (Tok.ALL, Tok.ANY):
        raise unexpected(tokstr(tok, lit), ["ALL", "ANY"], pos)
    parse_string_list(p)
    return _other("CREATE SUBSCRIPTION")


def parse_drop_subscription(p: TokenStream) -> ast.OtherStatement:
    parse_ident(p)
    _on_db_dot_rp(p)
    return _other("DROP SUBSCRIPTION")


def parse_drop_continuous_query(p: TokenStream) -> ast.OtherStatement:
    parse_ident(p)
    _expect(p, Tok.ON)
    parse_ident(p)
    return _other("DROP CONTINUOUS QUERY")


def _resample_duration(p: TokenStream) -> int:
    tok, pos, lit = p.scan_ws()
    if tok != Tok.DURATIONVAL:
        raise unexpected(tokstr(tok, lit), ["duration"], pos)
    p.unscan()
    return parse_duration_value(p)


def parse_create_continuous_query(p: TokenStream) -> ast.OtherStatement:
    parse_ident(p)
    _expect(p, Tok.ON)
    parse_ident(p)
    every = for_ = 0
    if accept(p, Tok.RESAMPLE):
        if accept(p, Tok.EVERY):
            every = _resample_duration(p)
        if accept(p, Tok.FOR):
            for_ = _resample_duration(p)
        if every == 0 and for_ == 0:
            tok, pos, lit = p.scan_ws()
            raise unexpected(tokstr(tok, lit), ["EVERY", "FOR"], pos)
    parse_tokens(p, [Tok.BEGIN, Tok.SELECT])
    source = parse_select(p, Target.REQUIRED)
    if has_call(source.fields):
        try:
            interval, problem = group_by_interval(source), None
        except InfluxQLParseError as exc:
            interval, problem = 0, str(exc)
        if interval == 0:
            # 1.x rewinds two tokens to name the one it blames.
            p.unscan()
            p.unscan()
            tok, pos, lit = p.scan_ws()
            expected = ["GROUP BY time(...)"] + ([problem] if problem else [])
            raise unexpected(tokstr(tok, lit), expected, pos)
    _expect(p, Tok.END)
    interval = group_by_interval(source)
    if for_ != 0:
        if every != 0 and every > interval:
            interval = every
        if interval > for_:
            raise plain(f"FOR duration must be >= GROUP BY time duration: must be a minimum of "
                        f"{format_duration(interval)}, got {format_duration(for_)}")
    return _other("CREATE CONTINUOUS QUERY")

