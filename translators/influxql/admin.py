"""Schema statements: CREATE/DROP DATABASE, CREATE/ALTER/DROP RETENTION POLICY, DROP
MEASUREMENT, DROP SERIES, DELETE and EXPLAIN [ANALYZE], as 1.6.7 parses them."""

from __future__ import annotations

from . import ast
from .clauses import accept, parse_duration_value, parse_int, parse_tokens
from .errors import positioned, unexpected
from .expr import parse_condition, parse_ident
from .lexer import Tok, TokenStream, tokstr
from .select import parse_select, parse_sources

INT32_MAX = (1 << 31) - 1


def parse_create_database(p: TokenStream) -> ast.CreateDatabase:
    name = parse_ident(p)
    if not accept(p, Tok.WITH):
        return ast.CreateDatabase(name)
    tok, pos, lit = p.scan_ws()
    if tok not in (Tok.DURATION, Tok.NAME, Tok.REPLICATION, Tok.SHARD):
        raise unexpected(tokstr(tok, lit), ["DURATION", "NAME", "REPLICATION", "SHARD"], pos)
    p.unscan()
    # The options must come in this order; each is optional.
    duration = parse_duration_value(p) if accept(p, Tok.DURATION) else None
    replication = parse_int(p, 1, INT32_MAX) if accept(p, Tok.REPLICATION) else None
    shard_duration = None
    if accept(p, Tok.SHARD):
        parse_tokens(p, [Tok.DURATION])
        shard_duration = parse_duration_value(p)  # 1.6.7 takes INF here, unlike CREATE RP
    rp_name = parse_ident(p) if accept(p, Tok.NAME) else None
    spec = ast.RetentionPolicySpec(name=rp_name, duration=duration, replication=replication,
                                   shard_duration=shard_duration)
    return ast.CreateDatabase(name, spec)


def parse_drop_database(p: TokenStream) -> ast.DropDatabase:
    return ast.DropDatabase(parse_ident(p))


def _shard_duration(p: TokenStream) -> int:
    """After SHARD: `DURATION d`, where INF is refused."""
    tok, pos, lit = p.scan_ws()
    if tok != Tok.DURATION:
        raise unexpected(tokstr(tok, lit), ["DURATION"], pos)
    tok, pos, _ = p.scan_ws()
    if tok == Tok.INF:
        raise positioned("invalid duration INF for shard duration", pos)
    p.unscan()
    return parse_duration_value(p)


def _on_database(p: TokenStream) -> str:
    tok, pos, lit = p.scan_ws()
    if tok != Tok.ON:
        raise unexpected(tokstr(tok, lit), ["ON"], pos)
    return parse_ident(p)


def parse_create_retention_policy(p: TokenStream) -> ast.CreateRetentionPolicy:
    name = parse_ident(p)
    database = _on_database(p)
    parse_tokens(p, [Tok.DURATION])
    duration = parse_duration_value(p)
    parse_tokens(p, [Tok.REPLICATION])
    replication = parse_int(p, 1, INT32_MAX)
    shard_duration = _shard_duration(p) if accept(p, Tok.SHARD) else None
    default = accept(p, Tok.DEFAULT)
    spec = ast.RetentionPolicySpec(name=name, duration=duration, replication=replication,
                                   shard_duration=shard_duration, default=default)
    return ast.CreateRetentionPolicy(database, spec)


def parse_alter_retention_policy(p: TokenStream) -> ast.AlterRetentionPolicy:
    tok, pos, lit = p.scan_ws()
    if tok == Tok.DEFAULT:
        name = "default"  # 1.x lets the keyword stand for a policy named "default"
    elif tok == Tok.IDENT:
        name = lit
    else:
        raise unexpected(tokstr(tok, lit), ["identifier"], pos)
    database = _on_database(p)
    options: dict[str, object] = {}
    found: set[Tok] = set()
    while True:
        tok, pos, lit = p.scan_ws()
        if tok in found:
            raise positioned(f"found duplicate {tok.text} option", pos)
        if tok == Tok.DURATION:
            options["duration"] = parse_duration_value(p)
        elif tok == Tok.REPLICATION:
            options["replication"] = parse_int(p, 1, INT32_MAX)
        elif tok == Tok.SHARD:
            options["shard_duration"] = _shard_duration(p)
        elif tok == Tok.DEFAULT:
            options["default"] = True
        elif not found:
            raise unexpected(tokstr(tok, lit), ["DURATION", "REPLICATION", "SHARD", "DEFAULT"],
                             pos)
        else:
            p.unscan()
            break
        found.add(tok)
    spec = ast.RetentionPolicySpec(name=name, **options)  # type: ignore[arg-type]
    return ast.AlterRetentionPolicy(database, spec)


def parse_drop_retention_policy(p: TokenStream) -> ast.DropRetentionPolicy:
    name = parse_ident(p)
    return ast.DropRetentionPolicy(name, _on_database(p))


def parse_drop_measurement(p: TokenStream) -> ast.DropMeasurement:
    return ast.DropMeasurement(parse_ident(p))


def _series_sources(p: TokenStream) -> tuple[tuple[ast.Source, ...], ast.Expr | None]:
    """`[FROM sources] [WHERE cond]`, at least one, with no database or retention policy."""
    tok, pos, lit = p.scan_ws()
    sources: tuple[ast.Source, ...] = ()
    if tok == Tok.FROM:
        sources = parse_sources(p, subqueries=False)
        problem = None
        for source in sources:
            if isinstance(source, ast.Measurement):
                if source.database is not None:
                    problem = "database not supported"
                if source.retention_policy is not None:
                    problem = "retention policy not supported"
        if problem:
            raise positioned(problem, (0, 0))  # 1.x gives these no position: line 1, char 1
    else:
        p.unscan()
    condition = parse_condition(p)
    if condition is None and not sources:
        raise unexpected(tokstr(tok, lit), ["FROM", "WHERE"], pos)
    return sources, condition


def parse_drop_series(p: TokenStream) -> ast.DropSeries:
    sources, condition = _series_sources(p)
    return ast.DropSeries(sources, condition)


def parse_delete(p: TokenStream) -> ast.Delete:
    sources, condition = _series_sources(p)
    return ast.Delete(sources, condition)


def parse_explain(p: TokenStream) -> ast.Explain:
    analyze = accept(p, Tok.ANALYZE)
    tok, pos, lit = p.scan_ws()
    if tok != Tok.SELECT:
        raise unexpected(tokstr(tok, lit), ["SELECT"], pos)
    return ast.Explain(parse_select(p), analyze)
