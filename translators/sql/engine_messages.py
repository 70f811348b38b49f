"""Word a storage engine error about a translated SQL query in the user's terms.

DuckDB runs the translation, so its errors quote SQL and names the user never wrote; these
rewrite them as InfluxDB 3 (DataFusion) words the same failure where the two differ.
"""

from __future__ import annotations

import re

from .gapfill_limit import LIMIT_WORDS
from .size_guards import SIZE_WORDS

_DIVISION_BY_ZERO = "Error: Division by zero in expression"
_INT64_OVERFLOW = re.compile(r"Overflow in (?:addition|subtraction|multiplication) of INT64")
# what sqlglot reads and prints as written but DuckDB cannot parse (`'x' || NOT b`,
# `a BETWEEN 1 AND 2 IN (...)`): the user's syntax, worded as sqlglot's parse errors are
_PARSER_ERROR = "query error: Parser Error: "
# RE2's reasons for a pattern it cannot compile, as DuckDB passes them on (`missing ): (`)
_BAD_PATTERN = re.compile(
    r"Invalid Input Error: ((?:invalid escape sequence|invalid character class(?: range)?"
    r"|missing \]|missing \)|unexpected \)|trailing \\|no argument for repetition operator"
    r"|invalid repetition size|bad repetition operator|invalid perl operator|invalid UTF-8"
    r"|invalid named capture group|pattern too large - compile failed)(?::.*)?)$", re.DOTALL)


def engine_message(message: str, schema: str) -> str:
    """An engine error about a translated query, worded in the user's terms: without the
    excerpt of the translated SQL and without the names the translation introduced."""
    message = message.split("\n\nLINE ", 1)[0].strip()  # DuckDB quotes the translated SQL
    if _DIVISION_BY_ZERO in message:  # an integer divided by zero, in DataFusion's words
        return "Arrow error: Divide by zero error"
    if message.startswith(_PARSER_ERROR):  # written as read: DuckDB's grammar reads it not
        message = "error parsing SQL: " + message[len(_PARSER_ERROR):]
    bad_pattern = _BAD_PATTERN.search(message)
    if bad_pattern:  # DataFusion's lead words, RE2's reason (Rust's regex words it otherwise)
        return ("Arrow error: Compute error: Regular expression did not compile: "
                + bad_pattern.group(1))
    if _INT64_OVERFLOW.search(message):  # times are Int64 nanoseconds here: say so
        return ("arithmetic overflow: a result is past what an Int64 holds (for a time in "
                "nanoseconds, 1677-09-21 to 2262-04-11)")
    for words in (LIMIT_WORDS, SIZE_WORDS):
        own = message.find(words)
        if own >= 0:  # a guard's own words, without DuckDB's "Invalid Input Error"
            return message[own:]
    message = re.sub(r'(?:"' + re.escape(schema.replace('"', '""')) + r'"|\b'
                     + re.escape(schema) + r'\b)\.', "", message)
    return re.sub(r"__cte_\d+|__result", "subquery", message)
