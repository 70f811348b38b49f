"""The same statements through every answer shape: epoch precisions, chunked answers, CSV and
MessagePack. Each case is `pytest.param(statement, request_params, headers, id=...)`.
"""

from __future__ import annotations

import pytest

from .cases_select import ONE, S, W

CSV = {"Accept": "application/csv"}
MSGPACK = {"Accept": "application/x-msgpack"}

#: A handful of statements with different shapes: raw, tagged series, aggregate, several
#: statements, an empty result, an error.
STATEMENTS = {
    "raw": f"SELECT usage_user, usage_system FROM cpu WHERE {ONE}",
    "tagged": f"SELECT usage_user FROM cpu WHERE {S} GROUP BY *",
    "aggregate": f"SELECT mean(usage_user), count(usage_user) FROM cpu WHERE {W} "
                 "GROUP BY time(30m), region",
    "multi": f"SELECT used FROM mem WHERE host = 'server01' AND {S}; SHOW TAG KEYS FROM disk",
    "strings": f"SELECT message, ok, code FROM events WHERE {S}",
    "empty": "SELECT * FROM nosuch",
    "error": f"SELECT mean(usage_user), usage_user FROM cpu WHERE {W}",
}

EPOCHS = [
    pytest.param(STATEMENTS[shape], {"epoch": epoch}, {}, id=f"format-epoch-{epoch}-{shape}")
    for epoch in ("ns", "u", "ms", "s", "m", "h")
    for shape in ("raw", "aggregate")
]

CHUNKED = [
    pytest.param(STATEMENTS[shape], {"chunked": "true", "chunk_size": str(size)}, {},
                 id=f"chunked-{size}-{shape}")
    for size in (1, 3, 10000)
    for shape in ("raw", "tagged", "aggregate", "multi", "empty", "error")
] + [
    pytest.param(STATEMENTS["tagged"], {"chunked": "true"}, {}, id="chunked-default-size"),
    pytest.param(STATEMENTS["tagged"], {"chunked": "true", "chunk_size": "4", "epoch": "s"}, {},
                 id="chunked-with-epoch"),
] + [
    # a failed statement with others after it: chunked, its own error, then "not executed"
    # once for each statement after it, all under its id (unchunked, the last of them)
    pytest.param(statements, {"chunked": "true", "chunk_size": "2"}, headers,
                 id=f"chunked-{name}-error-then-not-executed{suffix}")
    for name, statements in (
        ("first", f"{STATEMENTS['error']}; {STATEMENTS['raw']}"),
        ("middle", f"{STATEMENTS['raw']}; {STATEMENTS['error']}; {STATEMENTS['aggregate']}; "
                   f"{STATEMENTS['empty']}"))
    for suffix, headers in (("", {}), ("-csv", CSV), ("-msgpack", MSGPACK))
]

ENCODINGS = [
    pytest.param(STATEMENTS[shape], {}, headers, id=f"{name}-{shape}")
    for name, headers in (("csv", CSV), ("msgpack", MSGPACK))
    for shape in STATEMENTS
] + [
    pytest.param(STATEMENTS["raw"], {"epoch": "s"}, CSV, id="csv-epoch-s"),
    pytest.param(STATEMENTS["tagged"], {"chunked": "true", "chunk_size": "3"}, CSV,
                 id="csv-chunked"),
    pytest.param(STATEMENTS["raw"], {"epoch": "ms"}, MSGPACK, id="msgpack-epoch-ms"),
    pytest.param(STATEMENTS["tagged"], {"chunked": "true", "chunk_size": "3"}, MSGPACK,
                 id="msgpack-chunked"),
]

CASES = EPOCHS + CHUNKED + ENCODINGS
