"""InfluxQL's tokens: 1.x's token table, keywords, operator precedence and character classes."""

from __future__ import annotations

import enum


class Tok(enum.IntEnum):
    ILLEGAL = enum.auto()
    EOF = enum.auto()
    WS = enum.auto()
    COMMENT = enum.auto()
    IDENT = enum.auto()
    BOUNDPARAM = enum.auto()
    NUMBER = enum.auto()
    INTEGER = enum.auto()
    DURATIONVAL = enum.auto()
    STRING = enum.auto()
    BADSTRING = enum.auto()
    BADESCAPE = enum.auto()
    TRUE = enum.auto()
    FALSE = enum.auto()
    REGEX = enum.auto()
    BADREGEX = enum.auto()
    # operators
    ADD = enum.auto()
    SUB = enum.auto()
    MUL = enum.auto()
    DIV = enum.auto()
    MOD = enum.auto()
    BITWISE_AND = enum.auto()
    BITWISE_OR = enum.auto()
    BITWISE_XOR = enum.auto()
    AND = enum.auto()
    OR = enum.auto()
    EQ = enum.auto()
    NEQ = enum.auto()
    EQREGEX = enum.auto()
    NEQREGEX = enum.auto()
    LT = enum.auto()
    LTE = enum.auto()
    GT = enum.auto()
    GTE = enum.auto()
    # punctuation
    IN = enum.auto()
    LPAREN = enum.auto()
    RPAREN = enum.auto()
    COMMA = enum.auto()
    COLON = enum.auto()
    DOUBLECOLON = enum.auto()
    SEMICOLON = enum.auto()
    DOT = enum.auto()
    # keywords
    ALL = enum.auto()
    ALTER = enum.auto()
    ANALYZE = enum.auto()
    ANY = enum.auto()
    AS = enum.auto()
    ASC = enum.auto()
    BEGIN = enum.auto()
    BY = enum.auto()
    CARDINALITY = enum.auto()
    CREATE = enum.auto()
    CONTINUOUS = enum.auto()
    DATABASE = enum.auto()
    DATABASES = enum.auto()
    DEFAULT = enum.auto()
    DELETE = enum.auto()
    DESC = enum.auto()
    DESTINATIONS = enum.auto()
    DIAGNOSTICS = enum.auto()
    DISTINCT = enum.auto()
    DROP = enum.auto()
    DURATION = enum.auto()
    END = enum.auto()
    EVERY = enum.auto()
    EXACT = enum.auto()
    EXPLAIN = enum.auto()
    FIELD = enum.auto()
    FOR = enum.auto()
    FROM = enum.auto()
    GRANT = enum.auto()
    GRANTS = enum.auto()
    GROUP = enum.auto()
    GROUPS = enum.auto()
    INF = enum.auto()
    INSERT = enum.auto()
    INTO = enum.auto()
    KEY = enum.auto()
    KEYS = enum.auto()
    KILL = enum.auto()
    LIMIT = enum.auto()
    MEASUREMENT = enum.auto()
    MEASUREMENTS = enum.auto()
    NAME = enum.auto()
    OFFSET = enum.auto()
    ON = enum.auto()
    ORDER = enum.auto()
    PASSWORD = enum.auto()
    POLICY = enum.auto()
    POLICIES = enum.auto()
    PRIVILEGES = enum.auto()
    QUERIES = enum.auto()
    QUERY = enum.auto()
    READ = enum.auto()
    REPLICATION = enum.auto()
    RESAMPLE = enum.auto()
    RETENTION = enum.auto()
    REVOKE = enum.auto()
    SELECT = enum.auto()
    SERIES = enum.auto()
    SET = enum.auto()
    SHOW = enum.auto()
    SHARD = enum.auto()
    SHARDS = enum.auto()
    SLIMIT = enum.auto()
    SOFFSET = enum.auto()
    STATS = enum.auto()
    SUBSCRIPTION = enum.auto()
    SUBSCRIPTIONS = enum.auto()
    TAG = enum.auto()
    TO = enum.auto()
    USER = enum.auto()
    USERS = enum.auto()
    VALUES = enum.auto()
    WHERE = enum.auto()
    WITH = enum.auto()
    WRITE = enum.auto()

    @property
    def text(self) -> str:
        """1.x's `Token.String()`: empty for the few tokens its table leaves out."""
        return _TEXT.get(self, self.name)

    @property
    def is_operator(self) -> bool:
        # IN is a keyword-operator in 1.x's token table but not in its operator range in 1.6.
        return Tok.ADD <= self <= Tok.GTE

    @property
    def precedence(self) -> int:
        return _PRECEDENCE.get(self, 0)


_KEYWORDS_FIRST = Tok.ALL
_TEXT: dict[Tok, str] = {
    Tok.COMMENT: "", Tok.BOUNDPARAM: "", Tok.INTEGER: "", Tok.BADREGEX: "",
    Tok.ADD: "+", Tok.SUB: "-", Tok.MUL: "*", Tok.DIV: "/", Tok.MOD: "%",
    Tok.BITWISE_AND: "&", Tok.BITWISE_OR: "|", Tok.BITWISE_XOR: "^",
    Tok.EQ: "=", Tok.NEQ: "!=", Tok.EQREGEX: "=~", Tok.NEQREGEX: "!~",
    Tok.LT: "<", Tok.LTE: "<=", Tok.GT: ">", Tok.GTE: ">=",
    Tok.LPAREN: "(", Tok.RPAREN: ")", Tok.COMMA: ",", Tok.COLON: ":", Tok.DOUBLECOLON: "::",
    Tok.SEMICOLON: ";", Tok.DOT: ".",
}
_PRECEDENCE: dict[Tok, int] = {
    Tok.OR: 1, Tok.AND: 2,
    **dict.fromkeys((Tok.EQ, Tok.NEQ, Tok.EQREGEX, Tok.NEQREGEX, Tok.LT, Tok.LTE, Tok.GT,
                     Tok.GTE), 3),
    **dict.fromkeys((Tok.ADD, Tok.SUB, Tok.BITWISE_OR, Tok.BITWISE_XOR), 4),
    **dict.fromkeys((Tok.MUL, Tok.DIV, Tok.MOD, Tok.BITWISE_AND), 5),
}
KEYWORDS: dict[str, Tok] = {
    **{t.name.lower(): t for t in Tok if t >= _KEYWORDS_FIRST},
    "and": Tok.AND, "or": Tok.OR, "in": Tok.IN, "true": Tok.TRUE, "false": Tok.FALSE,
}


def lookup(ident: str) -> Tok:
    """The keyword an identifier spells (case-insensitively), else IDENT."""
    return KEYWORDS.get(ident.lower(), Tok.IDENT)


def tokstr(tok: Tok, lit: str) -> str:
    """What 1.x prints for a token in "found X": its literal if any, else its name."""
    return lit if lit else tok.text


def is_letter(ch: str) -> bool:
    return "a" <= ch <= "z" or "A" <= ch <= "Z"


def is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def is_ident_char(ch: str) -> bool:
    return is_letter(ch) or is_digit(ch) or ch == "_"


def is_ident_first_char(ch: str) -> bool:
    return is_letter(ch) or ch == "_"


def is_whitespace(ch: str) -> bool:
    return ch in " \t\n"
