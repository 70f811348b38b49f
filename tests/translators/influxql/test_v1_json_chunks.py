"""unchunk_v1_json on chunked answers shaped as 1.6.7 writes them (Go's encoding/json: keys in
struct order, quotes inside strings escaped): spliced where 1.x's unchunked merge is a
concatenation, None where it would merge values or the shape is not 1.x's usual one. Each
spliced case is also checked against the merge done on decoded JSON, as 1.x's serveQuery
merges results. tests/upstream/test_relayed_statements.py checks it on 1.6.7's own answers."""

from __future__ import annotations

import json

import pytest

from translators.influxql.v1_json_chunks import finished_v1_json, unchunk_v1_json


def row(name: str, host: str, *values: float, partial: bool = False) -> dict:
    out: dict = {"name": name, "tags": {"host": host}, "columns": ["time", "v"],
                 "values": [[i, v] for i, v in enumerate(values)]}
    return {**out, "partial": True} if partial else out


def line(statement: int, series: list[dict] | None = None, *, partial: bool = False,
         error: str | None = None, messages: list[dict] | None = None) -> bytes:
    result: dict = {"statement_id": statement}
    if series:
        result["series"] = series
    if messages:
        result["messages"] = messages
    if partial:
        result["partial"] = True
    if error:
        result["error"] = error
    return json.dumps({"results": [result]}, separators=(",", ":")).encode() + b"\n"


def merged(body: bytes) -> dict:
    """1.x's unchunked merge (serveQuery), done on decoded results."""
    results: list[dict] = []
    for text in body.splitlines():
        result = json.loads(text)["results"][0]
        if results and results[-1]["statement_id"] == result["statement_id"]:
            if "error" in result:
                results[-1] = result
                continue
            last = results[-1]
            rows = result.get("series", [])
            if last.get("series") and rows and (rows[0]["name"], rows[0]["tags"]) == (
                    last["series"][-1]["name"], last["series"][-1]["tags"]):
                last["series"][-1]["values"] += rows.pop(0)["values"]
            last.setdefault("series", []).extend(rows)
            last.pop("partial", None)
            if result.get("partial"):
                last["partial"] = True
        else:
            results.append(result)
    return {"results": results}


SPLICED = [
    pytest.param([line(0, [row("cpu", "a", 1.5)]), line(1, [row("cpu", "b", 2)])],
                 id="one line a statement"),
    pytest.param([line(0, [row("cpu", "a", 1)], partial=True),
                  line(0, [row("cpu", "b", 2)], partial=True), line(0, [row("cpu", "c", 3)]),
                  line(1, [row("mem", "a", 4)])], id="a statement's series over lines"),
    pytest.param([line(0, [row("cpu", "a", 1)]), line(1, error="boom"),
                  line(1, error="not executed")], id="an error, then not executed"),
    pytest.param([line(0, [row("cpu", "a", 1)], partial=True), line(0, error="boom")],
                 id="an error replaces a statement's rows"),
    pytest.param([line(0), line(1, [row('c"p,u', 'h\\"}]}', 1)])],
                 id="an empty result, quotes and brackets in names"),
    pytest.param([line(0, messages=[{"level": "warning", "text": "deprecated"}]),
                  line(1, [row("cpu", "a", 1)])], id="messages alone in a statement"),
]

DECLINED = [
    pytest.param([line(0, [row("cpu", "a", 1, partial=True)], partial=True),
                  line(0, [row("cpu", "a", 2)])], id="a series continued in the next line"),
    pytest.param([line(0, [row("cpu", "a", 1)], partial=True), line(0, [row("cpu", "a", 2)])],
                 id="the same series again: 1.x would merge its values"),
    pytest.param([line(0, [row("cpu", "a", 1), row("cpu", "b", 2)], partial=True),
                  line(0, [row("cpu", "c", 3)])], id="several series a line, several lines"),
    pytest.param([line(0, [row("cpu", "a", 1)], partial=True)], id="the last result partial"),
    pytest.param([line(1, [row("cpu", "a", 1)]), line(0, [row("cpu", "b", 1)])],
                 id="statements out of order"),
    pytest.param([b'{"error":"request failed"}\n'], id="a request error"),
    pytest.param([line(0, [row("cpu", "a", 1)], partial=True),
                  line(0, [row("cpu", "b", 1)], messages=[{"level": "info", "text": "x"}])],
                 id="messages beside series in a later line"),
    pytest.param([], id="nothing"),
]


@pytest.mark.parametrize("lines", SPLICED)
def test_spliced_as_1x_merges(lines: list[bytes]) -> None:
    body = b"".join(lines)
    spliced = unchunk_v1_json(body)
    assert spliced is not None and spliced.endswith(b"]}\n")
    assert json.loads(spliced) == merged(body)


@pytest.mark.parametrize("lines", DECLINED)
def test_declined_where_values_would_merge_or_the_shape_is_unusual(lines: list[bytes]) -> None:
    assert unchunk_v1_json(b"".join(lines)) is None


def test_a_torn_last_line_is_not_spliced_nor_finished() -> None:
    body = line(0, [row("cpu", "a", 1)]) + line(1, [row("cpu", "b", 2)])
    assert unchunk_v1_json(body[:-1]) is None
    assert [r.statement_id for r in finished_v1_json(body[:-5])] == [0]
