"""Statements that differ only in their WHERE clause's literals, parsed once for all of them.

A dashboard sends one SELECT again and again with new time bounds on every refresh (Grafana
writes `time >= 1700000000000ms and time <= 1700003600000ms`), so a cache keyed on the text
misses each time. A statement's shape is its token stream with each literal of its WHERE
clause (a string, integer, number or duration) lifted out as a parameter; a template is the
parse of the first text of a shape, with the condition node each lifted literal became. The
next text of that shape is its template with new literal nodes put in those places.

Only what the parser treats as a pure parameter is lifted; everything else stays in the key:
- one SELECT and no `;` (no subquery, no second statement), and no `/` or `$` anywhere (a
  regex is scanned only when the parser asks for one, so its text cannot be keyed by tokens;
  a `$param` is bound at scan time);
- a literal only between WHERE and the clause after it (a LIMIT or a GROUP BY time interval
  is not a node of the condition), not after `+`, `-` (a unary sign folds into the literal)
  or `.` (where the parser peeks at the next character), and a number only when it starts
  with a digit (`.5` starts with the character a peek after `.` would see);
- a template is made only when each lifted literal's node is found in the condition exactly
  once, so where each goes is proven by the first text itself, not assumed;
- each new literal's node is made by the parser's own `expr.literal`, and one the parser would
  refuse (an integer past uint64, a duration past int64) makes no statement: the caller
  parses the text and reports the error as usual.
Nothing here reads the schema: planning happens after, on every statement, as before.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from . import ast
from .errors import InfluxQLParseError
from .expr import LITERALS, literal
from .lexer import Pos, Scanner, Tok

# The clauses that can follow WHERE's condition: the lifted span ends at the first of them.
_AFTER_WHERE = frozenset((Tok.GROUP, Tok.ORDER, Tok.LIMIT, Tok.OFFSET, Tok.SLIMIT,
                          Tok.SOFFSET, Tok.INTO, Tok.SEMICOLON, Tok.EOF))
# After these a literal is not a node of its own (a sign folds in; `.` peeks at it).
_NOT_AFTER = frozenset((Tok.ADD, Tok.SUB, Tok.DOT))
_NODES = (ast.StringLiteral, ast.IntegerLiteral, ast.UnsignedLiteral, ast.NumberLiteral,
          ast.DurationLiteral)


@dataclass(frozen=True, slots=True)
class Shape:
    """A text's token stream with its lifted literals (`values`) standing as their kind."""

    key: tuple[Any, ...]
    values: tuple[tuple[Tok, str, Pos], ...]


@dataclass(frozen=True, slots=True)
class Template:
    statement: ast.SelectStatement
    slots: tuple[ast.Expr, ...]  # for each lifted literal, its node in the condition
    tokens: int  # the length of its shape's key: what it and its key weigh in memory


def shape_of(text: str) -> Shape | None:
    """The shape of a trimmed statement text, or None when it cannot be lifted safely."""
    if "/" in text or "$" in text:
        return None
    scanner = Scanner(text)
    key: list[Any] = []
    values: list[tuple[Tok, str, Pos]] = []
    selects = 0
    in_where = False
    previous = Tok.ILLEGAL  # the last token that is neither whitespace nor a comment
    while True:
        tok, pos, lit = scanner.scan()
        if tok == Tok.SELECT:
            selects += 1
        elif tok == Tok.SEMICOLON or tok == Tok.ILLEGAL:
            return None
        elif tok == Tok.WHERE:
            in_where = True
        elif tok in _AFTER_WHERE:
            in_where = False
        if (in_where and tok in LITERALS and previous not in _NOT_AFTER
                and (tok == Tok.STRING or lit[:1].isdigit())):
            key.append(tok)
            values.append((tok, lit, pos))
        else:
            key.append((tok, lit))
        if tok == Tok.EOF:
            break
        if tok != Tok.WS and tok != Tok.COMMENT:
            previous = tok
    if selects != 1 or key[0][0] != Tok.SELECT:
        return None
    return Shape(tuple(key), tuple(values))


# The quick shape's pieces: a string, a quoted identifier, a comment, an identifier, a
# number, integer or duration that no letter, digit, `_` or `.` follows, other runs of those
# characters, white space, any other character.
_PIECES = re.compile(r"""'(?P<string>[^']*)'|"[^"]*"|--.*|[A-Za-z_][A-Za-z0-9_]*"""
                     r"""|(?P<number>[0-9]+(?:\.[0-9]+|[A-Za-z][A-Za-z0-9]*)?)(?![A-Za-z0-9_.])"""
                     r"""|[A-Za-z0-9_.]+|[ \t]+|.""")
_CLAUSES = frozenset(("group", "order", "limit", "offset", "slimit", "soffset", "into"))
_MARKS = {Tok.STRING: "\0s", Tok.INTEGER: "\0i", Tok.NUMBER: "\0n", Tok.DURATIONVAL: "\0d"}


def quick_shape(text: str) -> Shape | None:
    """A shape found with one regular expression instead of the scanner, for a one-line ASCII
    text without backslash, `/` or `$`: its key is the text with each lifted literal replaced
    by a mark of its kind. It stands for the scanner's shape only where `agree` said so for a
    text of the same quick key: the text before a literal is the same, so the scanner starts
    a token where it did there, and such a text leaves it nothing to read differently (no
    escape or newline to end a string early; a number followed by none of the characters
    that would extend it), so it reads the same tokens with the same literals lifted."""
    if not text.isascii() or any(c in text for c in "\n\r\\/$\0"):
        return None
    key: list[str] = []
    values: list[tuple[Tok, str, Pos]] = []
    in_where = False
    previous = ""
    for piece in _PIECES.finditer(text):
        part = piece.group()
        string, number = piece.group("string"), piece.group("number")
        if in_where and previous not in ("+", "-", ".") and (
                string is not None or number is not None):
            if string is not None:
                tok, lit, at = Tok.STRING, string, piece.start() - 1  # 1.x's string position
            else:
                tok = Tok.NUMBER if "." in number else (
                    Tok.INTEGER if number.isdigit() else Tok.DURATIONVAL)
                lit, at = number, piece.start()
            key.append(_MARKS[tok])
            values.append((tok, lit, (0, at)))
        else:
            key.append(part)
            word = part.lower()
            if word == "where":
                in_where = True
            elif word in _CLAUSES:
                in_where = False
        if not part.isspace() and not part.startswith("--"):
            previous = part
    return Shape(("quick", "".join(key)), tuple(values))


def agree(quick: Shape, shape: Shape) -> bool:
    """Whether the quick shape lifts the very tokens the scanner's shape lifts (kind, text
    and position), so that its key can stand for the scanner's (`quick_shape`)."""
    return quick.values == shape.values


def template(statement: ast.Statement, shape: Shape) -> Template | None:
    """The template of `shape` from its parse, or None when the lifted literals cannot be
    placed (each must be found in the condition exactly once, by value)."""
    if not isinstance(statement, ast.SelectStatement) or not shape.values:
        return None
    nodes = _literal_nodes(statement.condition)
    # where each value is, read once: a scan of every node per literal was quadratic (an 8 KB
    # condition of a thousand literals took seconds of CPU, for each new shape)
    places: dict[tuple[type, Any], list[int]] = {}
    for i, node in enumerate(nodes):
        places.setdefault(_value(node), []).append(i)
    slots = []
    for tok, lit, pos in shape.values:
        try:
            wanted = _value(literal(tok, lit, pos))
        except InfluxQLParseError:
            return None
        found = places.get(wanted, ())
        if len(found) != 1:
            return None
        slots.append(found[0])
    if len(set(slots)) != len(slots):
        return None
    return Template(statement, tuple(nodes[i] for i in slots), len(shape.key))


def distinct_values(shape: Shape) -> bool:
    """Whether the lifted literals' texts all differ: a shape whose template could not be
    made from such a text never can (one with repeated values might, from other values)."""
    return len({(tok, lit) for tok, lit, _ in shape.values}) == len(shape.values)


def bind(found: Template, shape: Shape) -> ast.SelectStatement | None:
    """The statement `shape`'s text parses to, from its template; None when a new literal is
    one the parser refuses (the caller then parses the text for the error)."""
    try:
        fresh = [literal(tok, lit, pos) for tok, lit, pos in shape.values]
    except InfluxQLParseError:
        return None
    new = {id(slot): node for slot, node in zip(found.slots, fresh, strict=True)}
    condition = _replaced(found.statement.condition, new)
    return dataclasses.replace(found.statement, condition=condition)


def _value(node: ast.Expr) -> tuple[type, Any]:
    return type(node), dataclasses.astuple(node)  # type: ignore[call-overload]


def _literal_nodes(condition: ast.Expr | None) -> list[ast.Expr]:
    """The condition's literal nodes of the lifted kinds, in the order of a walk of the tree
    (any fixed order serves: templates find their nodes by value). The `±1` that the parser
    writes for a unary sign before a non-literal (`+x` is `1 * x`) is no token's, yet it is
    kept: a written `1 * x` parses the same, and its lifted `1` must be found there (left
    out, that `1` was matched to another node of value 1, such as the one `+1` folds to, and
    the next text's value was bound in the wrong place); beside a lifted 1, a `+x` only makes
    that value found twice, so no template is made."""
    out: list[ast.Expr] = []
    stack: list[Any] = [condition]
    while stack:
        node = stack.pop()
        if isinstance(node, _NODES):
            out.append(node)
        elif isinstance(node, ast.BinaryExpr):
            stack.append(node.rhs)
            stack.append(node.lhs)
        elif isinstance(node, tuple):
            stack.extend(reversed(node))
        elif dataclasses.is_dataclass(node):
            stack.extend(getattr(node, f.name) for f in reversed(dataclasses.fields(node)))
    return out


def _replaced(node: Any, new: dict[int, ast.Expr]) -> Any:
    """`node` with each node whose id `new` holds swapped for its value."""
    swapped = new.get(id(node))
    if swapped is not None:
        return swapped
    if isinstance(node, ast.BinaryExpr):  # most of a condition: walked without fields()
        lhs, rhs = _replaced(node.lhs, new), _replaced(node.rhs, new)
        if lhs is node.lhs and rhs is node.rhs:
            return node
        return ast.BinaryExpr(node.op, lhs, rhs)
    if isinstance(node, (ast.VarRef, *_NODES)):
        return node
    if isinstance(node, tuple):
        return tuple(_replaced(item, new) for item in node)
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return node
    changes = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, tuple) or dataclasses.is_dataclass(value):
            replaced = _replaced(value, new)
            if replaced is not value:
                changes[f.name] = replaced
    return dataclasses.replace(node, **changes) if changes else node
