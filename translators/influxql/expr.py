"""InfluxQL expressions: names, variable references, literals, calls and binary operators.

Follows 1.x's parser token for token (its scan/unscan order decides its error positions).
Binary operators associate left and bind as 1.x's precedence table says: OR, then AND, then
comparisons and regex matches, then `+ - | ^`, then `* / % &`. Unary minus negates a literal in
place and turns anything else into `-1 * x` (unary plus into `1 * x`), as 1.x does.
"""

from __future__ import annotations

from . import ast
from .durations import DurationError, parse_duration, wrap_int64
from .errors import plain, positioned, unexpected
from .lexer import Tok, TokenStream, is_whitespace, tokstr
from .quoting import quote_ident
from .regex import regex_error

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1

BINARY_OPS: dict[Tok, ast.BinaryOp] = {
    Tok.ADD: ast.BinaryOp.ADD, Tok.SUB: ast.BinaryOp.SUB, Tok.MUL: ast.BinaryOp.MUL,
    Tok.DIV: ast.BinaryOp.DIV, Tok.MOD: ast.BinaryOp.MOD,
    Tok.BITWISE_AND: ast.BinaryOp.BITWISE_AND, Tok.BITWISE_OR: ast.BinaryOp.BITWISE_OR,
    Tok.BITWISE_XOR: ast.BinaryOp.BITWISE_XOR, Tok.AND: ast.BinaryOp.AND,
    Tok.OR: ast.BinaryOp.OR, Tok.EQ: ast.BinaryOp.EQ, Tok.NEQ: ast.BinaryOp.NEQ,
    Tok.EQREGEX: ast.BinaryOp.EQREGEX, Tok.NEQREGEX: ast.BinaryOp.NEQREGEX,
    Tok.LT: ast.BinaryOp.LT, Tok.LTE: ast.BinaryOp.LTE, Tok.GT: ast.BinaryOp.GT,
    Tok.GTE: ast.BinaryOp.GTE,
}
OP_TOKENS: dict[ast.BinaryOp, Tok] = {op: tok for tok, op in BINARY_OPS.items()}

_CASTS = {
    "float": ast.DataType.FLOAT, "integer": ast.DataType.INTEGER,
    "unsigned": ast.DataType.UNSIGNED, "string": ast.DataType.STRING,
    "boolean": ast.DataType.BOOLEAN,
}


def parse_ident(p: TokenStream) -> str:
    tok, pos, lit = p.scan_ws()
    if tok != Tok.IDENT:
        raise unexpected(tokstr(tok, lit), ["identifier"], pos)
    return lit


def parse_ident_list(p: TokenStream) -> list[str]:
    idents = [parse_ident(p)]
    while True:
        if p.scan_ws()[0] != Tok.COMMA:
            p.unscan()
            return idents
        idents.append(parse_ident(p))


def parse_segmented_idents(p: TokenStream) -> list[str]:
    """`a`, `"db"."rp"."m"`, `"db".."m"`; stops before a `/regex/` or `:` segment."""
    idents = [parse_ident(p)]
    while True:
        if p.scan()[0] != Tok.DOT:
            p.unscan()
            break
        ch = p.peek_rune()
        if ch in ("/", ":"):
            break
        if ch == ".":
            idents.append("")
            continue
        idents.append(parse_ident(p))
    if len(idents) > 3:
        # 1.x gives this error a zero position: "at line 1, char 1".
        raise positioned(f"too many segments in {quote_ident(*idents)}", (0, 0))
    return idents


def parse_var_ref(p: TokenStream) -> ast.VarRef:
    segments = parse_segmented_idents(p)
    dtype: ast.DataType | None = None
    if p.scan()[0] == Tok.DOUBLECOLON:
        tok, pos, lit = p.scan()
        if tok == Tok.IDENT and lit.lower() in _CASTS:
            dtype = _CASTS[lit.lower()]
        elif tok == Tok.IDENT:
            raise unexpected(tokstr(tok, lit), ["float", "integer", "unsigned", "string",
                                                "boolean", "field", "tag"], pos)
        elif tok == Tok.FIELD:
            dtype = ast.DataType.FIELD
        elif tok == Tok.TAG:
            dtype = ast.DataType.TAG
        else:
            # 1.x leaves "unsigned" out of this list.
            raise unexpected(tokstr(tok, lit), ["float", "integer", "string", "boolean",
                                                "field", "tag"], pos)
    else:
        p.unscan()
    return ast.VarRef(".".join(segments), dtype)


def parse_regex(p: TokenStream) -> ast.RegexLiteral | None:
    """A `/regex/` if one comes next (or a `$param` bound to a regex), else None."""
    if is_whitespace(p.peek_rune()):
        p.consume_whitespace()
    ch = p.peek_rune()
    if ch == "$":
        tok = p.scan()[0]
        p.unscan()
        if tok != Tok.REGEX:
            return None
    elif ch != "/":
        return None
    tok, pos, lit = p.scan_regex()
    if tok == Tok.BADESCAPE:
        raise positioned(f"bad escape: {lit}", pos)
    if tok == Tok.BADREGEX:
        raise positioned(f"bad regex: {lit}", pos)
    if tok != Tok.REGEX:
        raise unexpected(tokstr(tok, lit), ["regex"], pos)
    problem = regex_error(lit)
    if problem:
        raise positioned(problem, pos)
    return ast.RegexLiteral(lit)


def parse_call(p: TokenStream, name: str) -> ast.Call:
    """Arguments after `name(`, which the caller has consumed."""
    args: list[ast.Expr] = []
    regex = parse_regex(p)
    if regex is not None:
        args.append(regex)
    else:
        if p.scan()[0] == Tok.RPAREN:
            return ast.Call(name.lower())
        p.unscan()
        args.append(parse_expr(p))
    while True:
        if p.scan_ws()[0] != Tok.COMMA:
            p.unscan()
            break
        regex = parse_regex(p)
        args.append(regex if regex is not None else parse_expr(p))
    tok, pos, lit = p.scan()
    if tok != Tok.RPAREN:
        raise unexpected(tokstr(tok, lit), [")"], pos)
    return ast.Call(name.lower(), tuple(args))


def parse_expr(p: TokenStream) -> ast.Expr:
    """A full expression; operators are folded as 1.x's precedence-climbing parser does."""
    operands: list[ast.Expr] = [parse_unary(p)]
    ops: list[Tok] = []
    count = 0

    def reduce() -> None:
        rhs = operands.pop()
        operands[-1] = ast.BinaryExpr(BINARY_OPS[ops.pop()], operands[-1], rhs)

    while True:
        op = p.scan_ws()[0]
        if not op.is_operator:
            p.unscan()
            break
        rhs: ast.Expr | None
        if op in (Tok.EQREGEX, Tok.NEQREGEX):
            rhs = parse_regex(p)
            if rhs is None:
                tok, pos, lit = p.scan_ws()
                raise unexpected(tokstr(tok, lit), ["regex"], pos)
        else:
            rhs = parse_unary(p)
        while ops and ops[-1].precedence >= op.precedence:
            reduce()
        ops.append(op)
        operands.append(rhs)
        count += 1
    while ops:
        reduce()
    return balanced(operands[0]) if count >= BALANCE_FROM else operands[0]


# A chain of this many operators or more: its AND and OR runs are balanced (`balanced`).
BALANCE_FROM = 64


def balanced(node: ast.Expr) -> ast.Expr:
    """`node` with each long run of one logical operator (`h = 'a' OR h = 'b' OR ...`, as a
    dashboard variable with many values writes it) regrouped as a balanced tree. 1.x folds it
    to the left, one level per operator; here every later pass walks the tree recursively, and
    Python's recursion stops at a thousand or so levels. AND and OR are associative, so the
    answer is the same; other operators keep 1.x's grouping (float sums round by it)."""
    if not isinstance(node, ast.BinaryExpr) or node.op not in _LOGICAL:
        return node
    run: list[ast.Expr] = []
    left: ast.Expr = node
    while isinstance(left, ast.BinaryExpr) and left.op is node.op:
        run.append(left.rhs)
        left = left.lhs
    run.append(left)
    # an operand is a run of the other logical operator, or no run: recursion stays shallow
    return _halves([balanced(operand) for operand in reversed(run)], node.op)


_LOGICAL = (ast.BinaryOp.AND, ast.BinaryOp.OR)


def _halves(operands: list[ast.Expr], op: ast.BinaryOp) -> ast.Expr:
    if len(operands) == 1:
        return operands[0]
    middle = len(operands) // 2
    return ast.BinaryExpr(op, _halves(operands[:middle], op), _halves(operands[middle:], op))


def parse_unary(p: TokenStream) -> ast.Expr:  # noqa: C901 - one case per token, as 1.x's
    if p.scan_ws()[0] == Tok.LPAREN:
        inner = parse_expr(p)
        tok, pos, lit = p.scan_ws()
        if tok != Tok.RPAREN:
            raise unexpected(tokstr(tok, lit), [")"], pos)
        return ast.ParenExpr(inner)
    p.unscan()

    tok, pos, lit = p.scan_ws()
    if tok == Tok.IDENT:
        if p.scan()[0] == Tok.LPAREN:
            return parse_call(p, lit)
        p.unscan()
        p.unscan()
        return parse_var_ref(p)
    if tok == Tok.DISTINCT:
        tok0, pos0, lit0 = p.scan()
        if tok0 == Tok.LPAREN:
            return parse_call(p, "distinct")
        if tok0 == Tok.WS:
            tok1, pos1, lit1 = p.scan_ws()
            if tok1 != Tok.IDENT:
                raise unexpected(tokstr(tok1, lit1), ["identifier"], pos1)
            return ast.Distinct(lit1)
        raise unexpected(tokstr(tok0, lit0), ["(", "identifier"], pos0)
    if tok in LITERALS:
        return literal(tok, lit, pos)
    if tok in (Tok.TRUE, Tok.FALSE):
        return ast.BooleanLiteral(tok == Tok.TRUE)
    if tok == Tok.MUL:
        return _wildcard(p)
    if tok == Tok.REGEX:  # only a bound parameter gets here
        problem = regex_error(lit)
        if problem:
            raise positioned(problem, pos)
        return ast.RegexLiteral(lit)
    if tok == Tok.BOUNDPARAM:
        key = lit[1:] if lit.startswith("$") else lit
        if not key:
            raise plain("empty bound parameter")
        if key in p.params:
            raise plain(p.params[key][1])
        raise plain(f"missing parameter: {key}")
    if tok in (Tok.ADD, Tok.SUB):
        return _signed(p, -1 if tok == Tok.SUB else 1)
    raise unexpected(tokstr(tok, lit), ["identifier", "string", "number", "bool"], pos)


#: The tokens `literal` turns into a node, its value read from the token's text alone.
LITERALS = frozenset((Tok.STRING, Tok.NUMBER, Tok.INTEGER, Tok.DURATIONVAL))


def literal(tok: Tok, lit: str, pos: tuple[int, int]) -> ast.Expr:
    """The node of a string, number, integer or duration token (one of LITERALS)."""
    if tok == Tok.STRING:
        return ast.StringLiteral(lit)
    if tok == Tok.NUMBER:
        try:
            return ast.NumberLiteral(float(lit))
        except ValueError:
            raise positioned("unable to parse number", pos) from None
    if tok == Tok.INTEGER:
        return _integer(lit, pos)
    try:
        return ast.DurationLiteral(parse_duration(lit))
    except DurationError as exc:
        raise plain(str(exc)) from None


def _integer(lit: str, pos: tuple[int, int]) -> ast.Expr:
    try:
        value = int(lit)
    except ValueError:
        raise positioned("unable to parse integer", pos) from None
    if INT64_MIN <= value <= INT64_MAX:
        return ast.IntegerLiteral(value)
    if 0 <= value <= UINT64_MAX and not lit.startswith(("-", "+")):
        return ast.UnsignedLiteral(value)
    raise positioned("unable to parse integer", pos)


def _wildcard(p: TokenStream) -> ast.Wildcard:
    if p.scan()[0] != Tok.DOUBLECOLON:
        p.unscan()
        return ast.Wildcard()
    tok, pos, lit = p.scan()
    if tok == Tok.FIELD:
        return ast.Wildcard(ast.DataType.FIELD)
    if tok == Tok.TAG:
        return ast.Wildcard(ast.DataType.TAG)
    raise unexpected(tokstr(tok, lit), ["field", "tag"], pos)


def _signed(p: TokenStream, sign: int) -> ast.Expr:
    tok0, pos0, lit0 = p.scan_ws()
    if tok0 not in (Tok.NUMBER, Tok.INTEGER, Tok.DURATIONVAL, Tok.LPAREN, Tok.IDENT):
        raise unexpected(tokstr(tok0, lit0), ["identifier", "number", "duration", "("], pos0)
    p.unscan()
    operand = parse_unary(p)
    if isinstance(operand, ast.NumberLiteral):
        return ast.NumberLiteral(operand.value * sign)
    if isinstance(operand, ast.IntegerLiteral):
        return ast.IntegerLiteral(wrap_int64(operand.value * sign))
    if isinstance(operand, ast.UnsignedLiteral):
        if sign > 0:
            return operand
        # -9223372036854775808 scans as unsigned yet fits int64 once negated.
        if operand.value == INT64_MAX + 1:
            return ast.IntegerLiteral(INT64_MIN)
        raise plain(f"constant -{operand.value} underflows int64")
    if isinstance(operand, ast.DurationLiteral):
        return ast.DurationLiteral(wrap_int64(operand.nanoseconds * sign))
    return ast.BinaryExpr(ast.BinaryOp.MUL, ast.IntegerLiteral(sign), operand)


def parse_condition(p: TokenStream) -> ast.Expr | None:
    """`WHERE expr`, if the next token is WHERE."""
    if p.scan_ws()[0] != Tok.WHERE:
        p.unscan()
        return None
    return parse_expr(p)


def parse_dimensions(p: TokenStream) -> tuple[ast.Dimension, ...]:
    """`GROUP BY dim, ...`, if the next token is GROUP."""
    if p.scan_ws()[0] != Tok.GROUP:
        p.unscan()
        return ()
    tok, pos, lit = p.scan_ws()
    if tok != Tok.BY:
        raise unexpected(tokstr(tok, lit), ["BY"], pos)
    dims: list[ast.Dimension] = []
    while True:
        regex = parse_regex(p)
        if regex is not None:
            dims.append(ast.Dimension(regex))
        else:
            dims.append(ast.Dimension(parse_expr(p)))
            p.consume_whitespace()
        if p.scan()[0] != Tok.COMMA:
            p.unscan()
            return tuple(dims)


def invalid_field_operator(expr: ast.Expr) -> ast.BinaryOp | None:
    """The comparison or logical operator 1.x reports in a SELECT field (the last it meets
    walking the tree, skipping below the first one on each path), or None."""
    found: ast.BinaryOp | None = None
    stack: list[ast.Expr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BinaryExpr):
            if Tok.EQ <= OP_TOKENS[node.op] <= Tok.GTE or node.op in (ast.BinaryOp.AND,
                                                                    ast.BinaryOp.OR):
                found = node.op
                continue
            stack += [node.rhs, node.lhs]
        elif isinstance(node, ast.Call):
            stack += reversed(node.args)
        elif isinstance(node, ast.ParenExpr):
            stack.append(node.expr)
    return found

