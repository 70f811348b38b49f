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

#: percentile(40) of 1 point selects nothing, of 2 points their first: in 90s windows every
#: other one (the emitter's result ends at each)
NIL_WINDOWS = ("SELECT percentile(requests, 40) FROM counters WHERE "
               "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:12:00Z' "
               "GROUP BY time(90s), * fill(none)")

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
] + [
    # a cursor scan that finds nothing (every call's window selecting no point) ends the
    # emitter's result there, not partial, even inside a series; the count starts afresh
    pytest.param(statement, {"chunked": "true", **size}, headers,
                 id=f"chunked-percentile-nil-ends-result{name}")
    for name, statement, size, headers in (
        ("", NIL_WINDOWS, {}, {}),
        # (under DESC the first window read must select, or the read ends at once)
        ("-desc-size-1", NIL_WINDOWS.replace("00:12:00Z", "00:10:30Z") + " ORDER BY time DESC",
         {"chunk_size": "1"}, {}),
        # both hosts in one window: 4 points or 2, of which percentile(20) selects none
        ("-merged-size-3", NIL_WINDOWS.replace(", *", "").replace("40)", "20)"),
         {"chunk_size": "3"}, {}),
        ("-msgpack", NIL_WINDOWS, {"chunk_size": "2"}, MSGPACK))
] + [
    # under a fill iterator the series' empty buckets after its last window use up the next
    # series' leading windows that select nothing, one each; a nil left over reaches the
    # cursor and ends the result with the series (us-west's first week holds one point;
    # style fuzz 465-514 with IQLFUZZ_GRAFANA)
    pytest.param(f"SELECT percentile(temp, 5) FROM cpu WHERE time >= '2023-12-20T00:00:00Z' "
                 f"AND time < '{upper}' GROUP BY time(1w), region{fill}",
                 {"chunked": "true", **size}, {},
                 id=f"chunked-percentile-fill-nil-ends-result{name}")
    for name, upper, fill, size in (
        ("", "2024-01-01T01:17:00Z", " fill(100)", {}),
        ("-fill-null-size-1", "2024-01-01T01:17:00Z", "", {"chunk_size": "1"}),
        ("-fill-linear", "2024-01-01T01:17:00Z", " fill(linear)", {}),
        ("-used-up", "2024-01-08T00:00:00Z", " fill(3)", {}))
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
