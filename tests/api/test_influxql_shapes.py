"""Statements of one shape (the same SELECT with other literals in its WHERE clause, as a
dashboard sends it) parse from one template (`translators/influxql/shapes.py`): each answers
what its own text asks, whatever the database, policy, parameters, and whatever the schema
and the data became between two requests."""

from __future__ import annotations

import time

from aiohttp.test_utils import TestClient

S0 = 1_704_067_200  # seconds
SHAPE = "SELECT {sel} FROM cpu WHERE host = '{host}' AND time >= {lo}ms AND time <= {hi}ms"


def _text(host: str, lo: int, hi: int, sel: str = "v") -> str:
    return SHAPE.format(sel=sel, host=host, lo=(S0 + lo) * 1000, hi=(S0 + hi) * 1000)


async def _write(client: TestClient, body: str, **params: str) -> None:
    response = await client.post("/write", params={"db": "db", **params}, data=body.encode())
    assert response.status == 204, await response.text()


async def _values(client: TestClient, text: str, **params: str) -> object:
    response = await client.get("/query", params={"db": "db", "q": text, "epoch": "s",
                                                  **params})
    assert response.status == 200
    assert response.content_type == "application/json"
    body = await response.json()
    result = body["results"][0]
    assert "error" not in result, result
    return [(s.get("tags"), s["columns"], s["values"]) for s in result.get("series", [])]


def _points(host: str, seconds: range, value: float, field: str = "v") -> str:
    return "".join(f"cpu,host={host} {field}={value + s} {S0 + s}000000000\n" for s in seconds)


async def test_each_text_of_one_shape_answers_its_own_bounds_and_tags(
        client: TestClient) -> None:
    await _write(client, _points("h1", range(0, 60, 10), 0.5) + _points("h2", range(5, 60, 10),
                                                                           100.25))
    for host, lo, hi, base in [("h1", 0, 30, 0.5), ("h2", 10, 60, 100.25), ("h1", 25, 55, 0.5),
                               ("h2", 0, 4, 100.25), ("h1", 50, 10, 0.5), ("h2", 0, 60, 100.25)]:
        start = 0 if host == "h1" else 5
        expected = [[S0 + s, base + s] for s in range(start, 60, 10) if lo <= s <= hi]
        found = await _values(client, _text(host, lo, hi))
        assert found == ([(None, ["time", "v"], expected)] if expected else []), (host, lo, hi)


async def test_the_same_shape_reads_the_database_and_policy_each_request_names(
        client: TestClient) -> None:
    await _write(client, _points("h1", range(0, 30, 10), 1.5))
    for statement in ("CREATE DATABASE other",
                      "CREATE RETENTION POLICY short ON db DURATION INF REPLICATION 1"):
        response = await client.post("/query", params={"q": statement})
        assert await response.json() == {"results": [{"statement_id": 0}]}
    await _write(client, _points("h1", range(0, 30, 10), 7.5), db="other")
    # (the native store keeps one table per measurement whatever the policy, so a policy
    # is checked, not read apart)
    for number, (params, base) in enumerate([({}, 1.5), ({"db": "other"}, 7.5),
                                             ({"rp": "nope"}, None), ({"rp": "short"}, 1.5),
                                             ({"db": "nope"}, None), ({}, 1.5)]):
        text = _text("h1", 4 * number, 30)
        if base is None:
            response = await client.get("/query", params={"db": "db", "q": text, **params})
            body = await response.json()
            assert "not found: nope" in body["results"][0]["error"], params
            continue
        expected = [[S0 + s, base + s] for s in (0, 10, 20) if s >= 4 * number]
        assert await _values(client, text, **params) == [(None, ["time", "v"], expected)], \
            params


async def test_a_schema_change_between_two_requests_is_seen(client: TestClient) -> None:
    await _write(client, _points("h1", range(0, 20, 10), 1.0))
    assert await _values(client, _text("h1", 0, 100, "*")) == [
        (None, ["time", "host", "v"], [[S0, "h1", 1.0], [S0 + 10, "h1", 11.0]])]
    # a new field and a new tag: the wildcard of the same shape expands over both
    await _write(client, f"cpu,host=h1,dc=eu v=2.5,w=9i {S0 + 30}000000000\n")
    assert await _values(client, _text("h1", 0, 101, "*")) == [
        (None, ["time", "dc", "host", "v", "w"],
         [[S0, None, "h1", 1.0, None], [S0 + 10, None, "h1", 11.0, None],
          [S0 + 30, "eu", "h1", 2.5, 9]])]
    # the measurement dropped and written again with `v` of another type
    assert (await client.post("/query", params={"db": "db",
                                                "q": "DROP MEASUREMENT cpu"})).status == 200
    assert await _values(client, _text("h1", 0, 102)) == []
    await _write(client, f"cpu,host=h1 v=\"text\" {S0 + 40}000000000\n")
    assert await _values(client, _text("h1", 0, 103)) == [
        (None, ["time", "v"], [[S0 + 40, "text"]])]


async def test_deleted_points_are_gone_for_the_next_text_of_the_shape(
        client: TestClient) -> None:
    await _write(client, _points("h1", range(0, 30, 10), 1.0) + _points("h2", range(0, 30, 10),
                                                                         2.0))
    assert await _values(client, _text("h2", 0, 50)) == [
        (None, ["time", "v"], [[S0 + s, 2.0 + s] for s in (0, 10, 20)])]
    response = await client.post("/query", params={
        "db": "db", "q": f"DELETE FROM cpu WHERE host = 'h2' AND time >= {S0 + 10}s"})
    assert response.status == 200
    assert await _values(client, _text("h2", 0, 51)) == [(None, ["time", "v"], [[S0, 2.0]])]
    response = await client.post("/query", params={
        "db": "db", "q": "DROP SERIES FROM cpu WHERE host = 'h1'"})
    assert response.status == 200
    assert await _values(client, _text("h1", 0, 52)) == []


async def test_bound_parameters_of_one_text_answer_each_their_own(client: TestClient) -> None:
    await _write(client, _points("h1", range(0, 20, 10), 1.0) + _points("h2", range(0, 20, 10),
                                                                         2.0))
    text = f"SELECT v FROM cpu WHERE host = $h AND time >= {S0}s AND time <= $end"
    for host, end, base in [("h1", 100, 1.0), ("h2", 100, 2.0), ("h1", 5, 1.0)]:
        params = f'{{"h": "{host}", "end": {(S0 + end) * 10**9}}}'
        expected = [[S0 + s, base + s] for s in (0, 10) if s <= end]
        assert await _values(client, text, params=params) == [
            (None, ["time", "v"], expected)], host


async def test_a_written_one_times_a_field_is_bound_where_it_was_written(
        client: TestClient) -> None:
    # `1 * v` parses as the `+v` of a sign does; its lifted `1` once matched the `+1` beside
    # it, so the next text's `2 * v` was answered as `v <= 2 AND v >= 1 * v`
    await _write(client, "".join(f"cpu v={v} {S0 + s}000000000\n"
                                 for s, v in enumerate((0.5, 1.0, 2.0, 4.0))))
    first = "SELECT v FROM cpu WHERE v <= +1 AND v >= {} * v"
    assert await _values(client, first.format(1)) == [
        (None, ["time", "v"], [[S0, 0.5], [S0 + 1, 1.0]])]
    assert await _values(client, first.format(2)) == []


async def test_a_new_shape_of_many_literals_costs_about_a_parse(client: TestClient) -> None:
    # A template placed each lifted literal by scanning every literal node of the condition
    # (quadratic): a new shape of 600 literals cost seconds, where its parse takes
    # milliseconds. Each text here is of a new shape (one literal more each time); the same
    # texts with a `/` in a comment have no shape and are only parsed.
    await _write(client, _points("h1", range(0, 20, 10), 1.0))

    async def elapsed(terms: int, tail: str) -> float:
        text = "SELECT v FROM cpu WHERE " + " OR ".join(
            f"v = {1000 + k}" for k in range(terms)) + tail
        assert len(text) < 8192  # parse_statements keeps shapes of texts this short
        started = time.perf_counter()
        assert await _values(client, text) == []
        return time.perf_counter() - started

    shaped = [await elapsed(600 + k, "") for k in range(3)]
    parsed = [await elapsed(600 + k, " -- a/b") for k in range(3)]
    assert min(shaped) < 4 * min(parsed) + 0.2, (shaped, parsed)
