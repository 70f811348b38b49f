"""SHOW statements: databases, measurements, series, tag keys and values, field keys, retention
policies and the CARDINALITY forms, with the clauses 1.6.7 allows on each.

1.6.7 also parses `ORDER BY` on SHOW MEASUREMENTS, SERIES, TAG KEYS, TAG VALUES and FIELD KEYS
but never sorts by it; the parser checks it and drops it.
"""

from __future__ import annotations

from . import ast
from .clauses import accept, parse_on, parse_optional_int, parse_order_by, parse_tokens
from .errors import unexpected
from .expr import parse_condition, parse_dimensions, parse_ident, parse_ident_list, parse_regex
from .lexer import Tok, TokenStream, tokstr
from .select import parse_source, parse_sources


def _from(p: TokenStream) -> tuple[ast.Source, ...]:
    return parse_sources(p, subqueries=False) if accept(p, Tok.FROM) else ()


def parse_show_databases(p: TokenStream) -> ast.ShowDatabases:
    return ast.ShowDatabases()


def parse_show_measurements(p: TokenStream) -> ast.ShowMeasurements:
    database = parse_on(p)
    source = None
    if accept(p, Tok.WITH):
        parse_tokens(p, [Tok.MEASUREMENT])
        tok, pos, lit = p.scan_ws()
        if tok not in (Tok.EQ, Tok.EQREGEX):
            raise unexpected(tokstr(tok, lit), ["=", "=~"], pos)
        # 1.x does not tie the operator to the operand: `= /re/` and `=~ name` both parse.
        found = parse_source(p, subqueries=False)
        assert isinstance(found, ast.Measurement)
        source = found
    condition = parse_condition(p)
    parse_order_by(p)
    limit = parse_optional_int(p, Tok.LIMIT)
    offset = parse_optional_int(p, Tok.OFFSET)
    return ast.ShowMeasurements(database=database, source=source, condition=condition,
                                limit=limit, offset=offset)


def _cardinality(p: TokenStream, kind: ast.CardinalityKind, exact: bool,
                 with_key: bool = False) -> ast.ShowCardinality:
    """The clauses every CARDINALITY form shares, after its CARDINALITY keyword."""
    database = parse_on(p)
    sources = _from(p)
    key_op, keys, key_regex = (_tag_key_expr(p) if with_key else (None, (), None))
    condition = parse_condition(p)
    dimensions = parse_dimensions(p)
    limit = parse_optional_int(p, Tok.LIMIT)
    offset = parse_optional_int(p, Tok.OFFSET)
    return ast.ShowCardinality(kind=kind, exact=exact, database=database, sources=sources,
                               condition=condition, dimensions=dimensions, limit=limit,
                               offset=offset, key_op=key_op, keys=keys, key_regex=key_regex)


def _exact_then_cardinality(p: TokenStream) -> bool:
    """`[EXACT] CARDINALITY` where one of them must come (MEASUREMENT, TAG KEY, FIELD KEY)."""
    exact = accept(p, Tok.EXACT)
    tok, pos, lit = p.scan_ws()
    if tok != Tok.CARDINALITY:
        expected = ["CARDINALITY"] if exact else ["EXACT", "CARDINALITY"]
        raise unexpected(tokstr(tok, lit), expected, pos)
    return exact


def parse_show_measurement_cardinality(p: TokenStream) -> ast.ShowCardinality:
    exact = _exact_then_cardinality(p)
    return _cardinality(p, ast.CardinalityKind.MEASUREMENT, exact)


def parse_show_tag_key_cardinality(p: TokenStream) -> ast.ShowCardinality:
    exact = _exact_then_cardinality(p)
    return _cardinality(p, ast.CardinalityKind.TAG_KEY, exact)


def parse_show_field_key_cardinality(p: TokenStream) -> ast.ShowCardinality:
    exact = _exact_then_cardinality(p)
    return _cardinality(p, ast.CardinalityKind.FIELD_KEY, exact)


def parse_show_series(p: TokenStream) -> ast.ShowSeries | ast.ShowCardinality:
    # 1.x reads an EXACT that no CARDINALITY follows and ignores it: `SHOW SERIES EXACT` parses.
    exact = accept(p, Tok.EXACT)
    if accept(p, Tok.CARDINALITY):
        return _cardinality(p, ast.CardinalityKind.SERIES, exact)
    database = parse_on(p)
    sources = _from(p)
    condition = parse_condition(p)
    parse_order_by(p)
    limit = parse_optional_int(p, Tok.LIMIT)
    offset = parse_optional_int(p, Tok.OFFSET)
    return ast.ShowSeries(database=database, sources=sources, condition=condition, limit=limit,
                          offset=offset)


def parse_show_tag_keys(p: TokenStream) -> ast.ShowTagKeys:
    database = parse_on(p)
    sources = _from(p)
    condition = parse_condition(p)
    parse_order_by(p)
    limit = parse_optional_int(p, Tok.LIMIT)
    offset = parse_optional_int(p, Tok.OFFSET)
    slimit = parse_optional_int(p, Tok.SLIMIT)
    soffset = parse_optional_int(p, Tok.SOFFSET)
    return ast.ShowTagKeys(database=database, sources=sources, condition=condition, limit=limit,
                           offset=offset, slimit=slimit, soffset=soffset)


def parse_show_tag_values(p: TokenStream) -> ast.ShowTagValues | ast.ShowCardinality:
    tok = p.scan_ws()[0]
    if tok == Tok.EXACT:
        parse_tokens(p, [Tok.CARDINALITY])
        return _cardinality(p, ast.CardinalityKind.TAG_VALUES, True, with_key=True)
    if tok == Tok.CARDINALITY:
        return _cardinality(p, ast.CardinalityKind.TAG_VALUES, False, with_key=True)
    p.unscan()
    database = parse_on(p)
    sources = _from(p)
    op, keys, regex = _tag_key_expr(p)
    condition = parse_condition(p)
    parse_order_by(p)
    limit = parse_optional_int(p, Tok.LIMIT)
    offset = parse_optional_int(p, Tok.OFFSET)
    return ast.ShowTagValues(op=op, keys=keys, regex=regex, database=database, sources=sources,
                             condition=condition, limit=limit, offset=offset)


_KEY_OPS = {Tok.EQ: ast.TagKeyOp.EQ, Tok.NEQ: ast.TagKeyOp.NEQ,
            Tok.EQREGEX: ast.TagKeyOp.EQREGEX, Tok.NEQREGEX: ast.TagKeyOp.NEQREGEX}


def _tag_key_expr(p: TokenStream) -> tuple[ast.TagKeyOp, tuple[str, ...],
                                           ast.RegexLiteral | None]:
    """`WITH KEY = k`, `!= k`, `IN (k, ...)`, `=~ /re/` or `!~ /re/`."""
    parse_tokens(p, [Tok.WITH, Tok.KEY])
    tok, pos, lit = p.scan_ws()
    if tok == Tok.IN:
        tok, pos, lit = p.scan_ws()
        if tok != Tok.LPAREN:
            raise unexpected(tokstr(tok, lit), ["("], pos)
        keys = parse_ident_list(p)
        tok, pos, lit = p.scan_ws()
        if tok != Tok.RPAREN:
            raise unexpected(tokstr(tok, lit), [")"], pos)
        return ast.TagKeyOp.IN, tuple(keys), None
    if tok in (Tok.EQ, Tok.NEQ):
        return _KEY_OPS[tok], (parse_ident(p),), None
    if tok in (Tok.EQREGEX, Tok.NEQREGEX):
        regex = parse_regex(p)
        if regex is None:
            tok, pos, lit = p.scan_ws()
            raise unexpected(tokstr(tok, lit), ["regex"], pos)
        return _KEY_OPS[tok], (), regex
    # 1.x lists only these three although != and !~ are accepted too.
    raise unexpected(tokstr(tok, lit), ["IN", "=", "=~"], pos)


def parse_show_field_keys(p: TokenStream) -> ast.ShowFieldKeys:
    database = parse_on(p)
    sources = _from(p)
    parse_order_by(p)
    limit = parse_optional_int(p, Tok.LIMIT)
    offset = parse_optional_int(p, Tok.OFFSET)
    return ast.ShowFieldKeys(database=database, sources=sources, limit=limit, offset=offset)


def parse_show_retention_policies(p: TokenStream) -> ast.ShowRetentionPolicies:
    return ast.ShowRetentionPolicies(database=parse_on(p))

