"""Entry points of the InfluxQL parser: a query (statements separated by `;`), one statement,
or one expression, with bound parameters; statements dispatch on their leading keywords.

    parse_query(text, params=None) -> list[Statement]
    parse_statement(text, params=None) -> Statement
    parse_expr(text, params=None) -> Expr

All three raise InfluxQLParseError worded as InfluxDB 1.6.7 words its parse errors. Like 1.x,
`parse_statement` and `parse_expr` stop after one statement or expression and ignore what
follows; `parse_query` is the one that checks the whole text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Union

from . import admin, ast, show, unsupported
from . import expr as expressions
from .errors import InfluxQLParseError, unexpected
from .lexer import Pos, Tok, TokenStream, tokstr
from .params import bind_params
from .select import parse_select

Handler = Callable[[TokenStream], ast.Statement]
Tree = dict[Tok, Union[Handler, "Tree"]]

TOO_DEEP = "query is nested too deeply"
# The deepest statement tree accepted. Later passes walk trees recursively, a few Python
# frames per level; 1.x has no such limit, but its parser folds long AND/OR runs the same way
# and those are balanced here (expr.balanced), so only deep nesting written out is refused.
MAX_DEPTH = 150


def _other(kind: str) -> Handler:
    return lambda p: ast.OtherStatement(kind)


# Keys are in 1.6.7's order: its errors list the expected keywords in this order.
LANGUAGE: Tree = {
    Tok.SELECT: parse_select,
    Tok.DELETE: admin.parse_delete,
    Tok.SHOW: {
        Tok.CONTINUOUS: {Tok.QUERIES: _other("SHOW CONTINUOUS QUERIES")},
        Tok.DATABASES: show.parse_show_databases,
        Tok.DIAGNOSTICS: unsupported.parse_show_diagnostics,
        Tok.FIELD: {
            Tok.KEY: show.parse_show_field_key_cardinality,
            Tok.KEYS: show.parse_show_field_keys,
        },
        Tok.GRANTS: {Tok.FOR: unsupported.parse_show_grants},
        Tok.MEASUREMENT: show.parse_show_measurement_cardinality,
        Tok.MEASUREMENTS: show.parse_show_measurements,
        Tok.QUERIES: _other("SHOW QUERIES"),
        Tok.RETENTION: {Tok.POLICIES: show.parse_show_retention_policies},
        Tok.SERIES: show.parse_show_series,
        Tok.SHARD: {Tok.GROUPS: _other("SHOW SHARD GROUPS")},
        Tok.SHARDS: _other("SHOW SHARDS"),
        Tok.STATS: unsupported.parse_show_stats,
        Tok.SUBSCRIPTIONS: _other("SHOW SUBSCRIPTIONS"),
        Tok.TAG: {
            Tok.KEY: show.parse_show_tag_key_cardinality,
            Tok.KEYS: show.parse_show_tag_keys,
            Tok.VALUES: show.parse_show_tag_values,
        },
        Tok.USERS: _other("SHOW USERS"),
    },
    Tok.CREATE: {
        Tok.CONTINUOUS: {Tok.QUERY: unsupported.parse_create_continuous_query},
        Tok.DATABASE: admin.parse_create_database,
        Tok.USER: unsupported.parse_create_user,
        Tok.RETENTION: {Tok.POLICY: admin.parse_create_retention_policy},
        Tok.SUBSCRIPTION: unsupported.parse_create_subscription,
    },
    Tok.DROP: {
        Tok.CONTINUOUS: {Tok.QUERY: unsupported.parse_drop_continuous_query},
        Tok.DATABASE: admin.parse_drop_database,
        Tok.MEASUREMENT: admin.parse_drop_measurement,
        Tok.RETENTION: {Tok.POLICY: admin.parse_drop_retention_policy},
        Tok.SERIES: admin.parse_drop_series,
        Tok.SHARD: unsupported.parse_drop_shard,
        Tok.SUBSCRIPTION: unsupported.parse_drop_subscription,
        Tok.USER: unsupported.parse_drop_user,
    },
    Tok.EXPLAIN: admin.parse_explain,
    Tok.GRANT: unsupported.parse_grant,
    Tok.REVOKE: unsupported.parse_revoke,
    Tok.ALTER: {Tok.RETENTION: {Tok.POLICY: admin.parse_alter_retention_policy}},
    Tok.SET: {Tok.PASSWORD: {Tok.FOR: unsupported.parse_set_password}},
    Tok.KILL: {Tok.QUERY: unsupported.parse_kill_query},
}


def _statement(p: TokenStream) -> ast.Statement:
    tree = LANGUAGE
    while True:
        tok, pos, lit = p.scan_ws()
        node = tree.get(tok)
        if isinstance(node, dict):
            tree = node
        elif node is not None:
            return node(p)
        else:
            raise unexpected(tokstr(tok, lit), [key.text for key in tree], pos)


def _stream(text: str, params: Mapping[str, object] | None) -> TokenStream:
    return TokenStream(text, bind_params(params))


class _Source:
    """Maps the scanner's (line, char) positions back to slices of the text."""

    def __init__(self, text: str) -> None:
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.line_starts = [0]
        for i, ch in enumerate(self.text):
            if ch == "\n":
                self.line_starts.append(i + 1)

    def offset(self, pos: Pos) -> int:
        line = min(pos[0], len(self.line_starts) - 1)
        return min(self.line_starts[line] + pos[1], len(self.text))

    def between(self, start: Pos, end: Pos) -> str:
        return self.text[self.offset(start):self.offset(end)].strip()


def _guard(fn: Callable[[], object]) -> object:
    try:
        return fn()
    except RecursionError:
        # 1.x has no depth limit; Python does, so a pathologically nested query is refused.
        raise InfluxQLParseError(TOO_DEEP) from None


def _deeper_than(statement: ast.Statement, limit: int) -> bool:
    """Whether the statement's tree of dataclasses (tuples of them count as one level) is
    more than `limit` deep; walked with a stack, as the tree may be too deep to recurse."""
    stack: list[tuple[object, int]] = [(statement, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        for field in dataclasses.fields(node):  # type: ignore[arg-type]
            value = getattr(node, field.name)
            for child in value if isinstance(value, tuple | list) else (value,):
                if dataclasses.is_dataclass(child):
                    stack.append((child, depth + 1))
    return False


# Go's unicode.IsSpace, which strings.TrimSpace trims.
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007" \
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def parse_query(text: str, params: Mapping[str, object] | None = None) -> list[ast.Statement]:
    """All statements of a query; empty statements (`;;`) are skipped, as 1.x does.

    The text is trimmed first, as 1.x's HTTP handler trims `q`, so error positions are the
    ones its /query endpoint reports.
    """
    text = text.strip(GO_SPACE)
    return _guard(lambda: _parse_query(text, params))  # type: ignore[return-value]


def _parse_query(text: str, params: Mapping[str, object] | None) -> list[ast.Statement]:
    p = _stream(text, params)
    source = _Source(text)
    statements: list[ast.Statement] = []
    pending: tuple[int, Pos] | None = None  # an OtherStatement waiting for its text's end
    semicolon = True
    while True:
        tok, pos, lit = p.scan_ws()
        if pending is not None:
            index, start = pending
            statements[index] = dataclasses.replace(
                statements[index], text=source.between(start, pos))  # type: ignore[type-var]
            pending = None
        if tok == Tok.EOF:
            return statements
        if tok == Tok.SEMICOLON:
            semicolon = True
            continue
        if not semicolon:
            raise unexpected(tokstr(tok, lit), [";"], pos)
        p.unscan()
        statement = _statement(p)
        if _deeper_than(statement, MAX_DEPTH):
            raise InfluxQLParseError(TOO_DEEP)
        if isinstance(statement, ast.OtherStatement):
            pending = (len(statements), pos)
        statements.append(statement)
        semicolon = False


def parse_statement(text: str, params: Mapping[str, object] | None = None) -> ast.Statement:
    """The first statement of `text` (1.x's ParseStatement ignores anything after it)."""
    statement = _guard(lambda: _statement(_stream(text, params)))
    if isinstance(statement, ast.OtherStatement):
        statement = dataclasses.replace(statement, text=text.strip())
    return statement  # type: ignore[return-value]


def parse_expr(text: str, params: Mapping[str, object] | None = None) -> ast.Expr:
    """The first expression of `text` (1.x's ParseExpr ignores anything after it)."""
    return _guard(lambda: expressions.parse_expr(_stream(text, params)))  # type: ignore[return-value]
