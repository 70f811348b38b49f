"""The answers behind the golden files, built by hand as the executor would build them.

The golden files under `golden/influxql/` are what a real InfluxDB 1.6.7 answered (see
`capture.sh` there) over the points in `golden/influxql/points-*.lp`; each function here builds the
`StatementResult`s for one of those queries.
"""

from __future__ import annotations

from pathlib import Path

from translators.encoders.influxql_chunks import Chunking
from translators.influxql.results import Message, Series, StatementResult

GOLDEN = Path(__file__).parent / "golden" / "influxql"

CPU_COLUMNS = ["time", "b", "i", "s", "x", "y"]
CPU_ROWS = {
    "a": [
        [1704067200000000000, True, 3, "hi<&>", 1.5, None],
        [1704067200500000000, False, 9223372036854775807, 'q"uote\\back', 0.1, None],
    ],
    "b": [
        [1704067201123456789, None, -9223372036854775808,
         "nl\\nline \u00e9 \u00fc \u65e5\u672c \\u2028", 1e21, None],
        [1704067202000000000, None, None, None, 1e-7, None],
        [1704067203000100000, None, None, "", 100.0, None],
    ],
    "c": [
        [-1000000000000000000, None, None, None, 123456789.123456789, None],
        [-1500000000, None, 0, None, -0.0, None],
        [5, None, None, None, 1e20, 2.5e-5],
    ],
}
STR_S = "a\nb\tc\x08d\x0ce\x01f\x7fg\u2028h\u2029i/j"
INT_VALUES = [0, 127, 128, 255, 256, 32767, 32768, 65535, 65536, 2147483647, 2147483648,
              4294967295, 4294967296, -1, -32, -33, -128, -129, -32768, -32769, -2147483648,
              -2147483649]
WARNING = Message("warning", "deprecated use of 'CREATE DATABASE d2' in a read only context, "
                             "please use a POST request instead")


def golden(name: str) -> bytes:
    return (GOLDEN / name).read_bytes()


def timed(name: str, columns: list[str], rows: list[list[object]],
          tags: dict[str, str] | None = None) -> Series:
    return Series(name, columns, [list(r) for r in rows], tags, has_time=True)


def cpu_by_host(columns: list[str] | None = None) -> list[Series]:
    """SELECT * FROM cpu GROUP BY host (or the named columns of it)."""
    columns = columns or CPU_COLUMNS
    picks = [CPU_COLUMNS.index(c) for c in columns]
    return [timed("cpu", columns, [[row[i] for i in picks] for row in rows], {"host": host})
            for host, rows in CPU_ROWS.items()]


def databases() -> Series:
    return Series("databases", ["name"], [["d"], ["d2"]])


def select() -> list[StatementResult]:
    return [StatementResult(0, cpu_by_host())]


def multi() -> list[StatementResult]:
    """MULTI in capture.sh: a grouped SELECT, SHOW DATABASES, an empty SELECT, a failure."""
    return [
        StatementResult(0, [cpu_by_host(["time", "x"])[2]]),
        StatementResult(1, [databases()]),
        StatementResult(2),
        StatementResult(3, error="undefined function foo()"),
    ]


def host_c_x() -> list[StatementResult]:
    """SELECT x FROM cpu WHERE host='c' (no GROUP BY: no tags)."""
    series = cpu_by_host(["time", "x"])[2]
    series.tags = None
    return [StatementResult(0, [series])]


def strings() -> list[StatementResult]:
    return [StatementResult(0, [
        timed("str", ["time", "s"], [[1000000000, STR_S]], {"k": "v"}),
        timed("str", ["time", "s"], [[2000000000, "back\\slash"]], {"k": "w x,y=z"}),
    ])]


def group_all() -> list[StatementResult]:
    """SELECT * FROM cpu, mem, str GROUP BY *: every series carries every tag key."""
    columns = ["time", "b", "free", "i", "s", "x", "y"]

    def widen(row: list[object]) -> list[object]:
        return [row[0], row[1], None, *row[2:]]

    def tags(host: str = "", k: str = "", region: str = "") -> dict[str, str]:
        return {"host": host, "k": k, "region": region}

    series = [timed("cpu", columns, [widen(r) for r in rows], tags(host))
              for host, rows in CPU_ROWS.items()]
    series += [
        timed("mem", columns, [[1704067200000000000, None, 12, None, None, None, None]],
              tags("a", region="eu")),
        timed("mem", columns, [[1704067260000000000, None, 13, None, None, None, None]],
              tags("b")),
        timed("str", columns, [[1000000000, None, None, None, STR_S, None, None]],
              tags(k="v")),
        timed("str", columns, [[2000000000, None, None, None, "back\\slash", None, None]],
              tags(k="w x,y=z")),
    ]
    return [StatementResult(0, series)]


def shows() -> list[StatementResult]:
    """SHOWS in capture.sh (by GET, hence the warning)."""
    return [
        StatementResult(0, messages=[WARNING]),
        StatementResult(1, [Series("", ["name", "duration", "shardGroupDuration", "replicaN",
                                        "default"], [["autogen", "0s", "168h0m0s", 1, True]])]),
        StatementResult(2, [
            Series("cpu", ["key", "value"], [["host", "a"], ["host", "b"], ["host", "c"]]),
            Series("mem", ["key", "value"], [["host", "a"], ["host", "b"]]),
        ]),
    ]


def chunk_input() -> tuple[list[StatementResult], dict[int, Chunking]]:
    """CHUNK in capture.sh, and how each statement is chunked."""
    results = [
        StatementResult(0, cpu_by_host(["time", "x"])),
        StatementResult(1, [timed("mem", ["time", "free"], [[1704067200000000000, 12],
                                                             [1704067260000000000, 13]])]),
        StatementResult(2),
        StatementResult(3, [databases()]),
        shows()[2],
        StatementResult(5, error="undefined function foo()"),
    ]
    results[4].statement_id = 4
    kinds = {0: Chunking.ROWS, 1: Chunking.ROWS, 2: Chunking.ROWS, 3: Chunking.WHOLE,
             4: Chunking.SERIES, 5: Chunking.ROWS}
    return results, kinds


def ints() -> list[StatementResult]:
    rows = [[t, v] for t, v in enumerate(INT_VALUES, start=1)]
    return [StatementResult(0, [timed("ints", ["time", "v"], rows)])]


def big() -> list[StatementResult]:
    rows = [[i, i] for i in range(10001)]
    return [StatementResult(0, [timed("big", ["time", "v"], rows)])]
