"""Write endpoints of every generation over real HTTP, read back through query_sql."""

from __future__ import annotations

import gzip
import zlib

import pytest
from aiohttp.test_utils import TestClient

from tests.api.helpers import sql

BODY = b"cpu,host=a usage=1.5,n=3i 1700000000\ncpu,host=b usage=2.5,n=4i 1700000001\n"
ROWS = [
    {"time": "2023-11-14T22:13:20", "host": "a", "usage": 1.5, "n": 3},
    {"time": "2023-11-14T22:13:21", "host": "b", "usage": 2.5, "n": 4},
]
ENDPOINTS = [
    pytest.param("/write", {"db": "mydb", "precision": "s"}, id="v1"),
    pytest.param("/api/v2/write", {"bucket": "mydb", "org": "o", "precision": "s"}, id="v2"),
    pytest.param("/api/v3/write_lp", {"db": "mydb", "precision": "second"}, id="v3"),
]


@pytest.mark.parametrize(("path", "params"), ENDPOINTS)
async def test_write_then_read_back(client: TestClient, path: str, params: dict) -> None:
    response = await client.post(path, params=params, data=BODY)
    assert response.status == 204, await response.text()
    assert await response.read() == b""
    assert await sql(client, "mydb", "SELECT * FROM cpu ORDER BY host") == ROWS


@pytest.mark.parametrize(("path", "params"), ENDPOINTS)
async def test_gzip_body(client: TestClient, path: str, params: dict) -> None:
    response = await client.post(path, params=params, data=gzip.compress(BODY),
                                 headers={"Content-Encoding": "gzip"})
    assert response.status == 204, await response.text()
    assert await sql(client, "mydb", "SELECT * FROM cpu ORDER BY host") == ROWS


@pytest.mark.parametrize(("path", "params"), ENDPOINTS)
async def test_chunked_body_without_length(client: TestClient, path: str, params: dict) -> None:
    async def pieces():
        for start in range(0, len(BODY), 7):
            yield BODY[start:start + 7]

    response = await client.post(path, params=params, data=pieces())
    assert response.status == 204, await response.text()
    assert len(await sql(client, "mydb", "SELECT * FROM cpu")) == 2


async def test_v1_partial_write_keeps_good_lines(client: TestClient) -> None:
    body = b"cpu,host=a usage=1 1\ncpu,host=c usage=abc 2\ncpu,host=d usage=3 3\n"
    response = await client.post("/write", params={"db": "mydb"}, data=body)
    assert response.status == 400
    assert response.headers["Content-Type"] == "application/json"
    message = ("partial write: unable to parse 'cpu,host=c usage=abc 2': invalid boolean "
               "dropped=0")
    assert await response.json() == {"error": message}
    assert response.headers["X-Influxdb-Error"] == message
    assert [r["host"] for r in await sql(client, "mydb", "SELECT host FROM cpu ORDER BY host")
            ] == ["a", "d"]


async def test_v1_all_lines_bad_is_a_plain_parse_error(client: TestClient) -> None:
    response = await client.post("/write", params={"db": "mydb"}, data=b"cpu,host=a usage=")
    assert response.status == 400
    assert await response.json() == {
        "error": "unable to parse 'cpu,host=a usage=': missing field value"
    }


async def test_v1_type_conflict_with_stored_data(client: TestClient) -> None:
    assert (await client.post("/write", params={"db": "mydb"}, data=b"cpu usage=1 1")).status \
        == 204
    response = await client.post("/write", params={"db": "mydb"},
                                 data=b'cpu usage="s" 2\ncpu usage=3 3')
    assert response.status == 400
    assert await response.json() == {"error": (
        'partial write: field type conflict: input field "usage" on measurement "cpu" is type '
        "string, already exists as type float dropped=1")}
    assert await sql(client, "mydb", "SELECT usage FROM cpu ORDER BY time") == [
        {"usage": 1.0}, {"usage": 3.0}]


async def test_refused_line_with_new_columns_beside_accepted_lines(client: TestClient) -> None:
    """The only line naming `region` and `w` is refused for its `usage`: those columns are not
    created, and the other line of the same measurement is stored (this once answered 500)."""
    assert (await client.post("/write", params={"db": "mydb"}, data=b"cpu usage=1i 1")).status \
        == 204
    response = await client.post("/write", params={"db": "mydb"},
                                 data=b"cpu,host=a idle=2 2\ncpu,region=x w=1.5,usage=1e3 3")
    assert response.status == 400
    assert await response.json() == {"error": (
        'partial write: field type conflict: input field "usage" on measurement "cpu" is type '
        "float, already exists as type integer dropped=1")}
    assert await sql(client, "mydb", "SELECT usage, host, idle FROM cpu ORDER BY time") == [
        {"usage": 1}, {"host": "a", "idle": 2.0}]
    columns = await client.get("/api/v3/query_sql", params={
        "db": "mydb", "q": "SELECT column_name FROM information_schema.columns "
                           "WHERE table_name = 'cpu' ORDER BY column_name"})
    assert [row["column_name"] for row in await columns.json()] == ["host", "idle", "time", "usage"]


async def test_v1_several_bad_lines_join_with_newlines(client: TestClient) -> None:
    response = await client.post("/write", params={"db": "mydb"},
                                 data=b"cpu v=1 1\ncpu v= 2\ncpu v=x 3\n")
    body = await response.json()
    assert response.status == 400
    assert body["error"] == (
        "partial write: unable to parse 'cpu v= 2': missing field value\n"
        "unable to parse 'cpu v=x 3': invalid boolean dropped=0"
    )
    assert "\n" not in response.headers["X-Influxdb-Error"]


async def test_v2_partial_write(client: TestClient) -> None:
    response = await client.post("/api/v2/write", params={"bucket": "mydb"},
                                 data=b"cpu v=1 1\ncpu v= 2\n")
    assert response.status == 400
    assert await response.json() == {
        "code": "invalid",
        "message": "partial write error (1 written): unable to parse 'cpu v= 2': "
                   "missing field value",
        "line": 2,
    }


async def test_v3_partial_write_lists_lines(client: TestClient) -> None:
    response = await client.post("/api/v3/write_lp", params={"db": "mydb"},
                                 data=b"cpu v=1 1\ncpu v= 2\ncpu v=3 3\nhome,room=K temp=hi\n")
    assert response.status == 400
    assert await response.json() == {
        "error": "partial write of line protocol occurred",
        "data": [
            {"original_line": "cpu v= 2", "line_number": 2,
             "error_message": "missing field value"},
            {"original_line": "home,room=K temp=hi", "line_number": 4,
             "error_message": "invalid boolean"},
        ],
    }
    assert len(await sql(client, "mydb", "SELECT * FROM cpu")) == 2


async def test_v3_accept_partial_false_writes_nothing(client: TestClient) -> None:
    response = await client.post("/api/v3/write_lp",
                                 params={"db": "mydb", "accept_partial": "false"},
                                 data=b"cpu v=1 1\ncpu v= 2\n")
    assert response.status == 400
    body = await response.json()
    assert body["error"] == "write of line protocol failed"
    assert body["data"][0]["line_number"] == 2
    response = await client.get("/api/v3/query_sql", params={"db": "mydb", "q": "SELECT 1"})
    assert response.status == 404  # not even the database was created


async def test_v3_accept_partial_false_refuses_on_catalog_conflict(client: TestClient) -> None:
    await client.post("/api/v3/write_lp", params={"db": "mydb"}, data=b"cpu v=1 1")
    response = await client.post("/api/v3/write_lp",
                                 params={"db": "mydb", "accept_partial": "false"},
                                 data=b"cpu v=2 2\ncpu v=3i 3\n")
    assert response.status == 400
    assert (await response.json())["data"][0]["line_number"] == 2
    assert await sql(client, "mydb", "SELECT v FROM cpu") == [{"v": 1.0}]


async def test_v3_no_sync_acknowledges_and_data_arrives(client: TestClient) -> None:
    response = await client.post("/api/v3/write_lp", params={"db": "mydb", "no_sync": "true"},
                                 data=BODY)
    assert response.status == 204
    # The next write waits for its own commit, which comes after the no_sync batch.
    await client.post("/api/v3/write_lp", params={"db": "mydb"}, data=b"other v=1 1")
    assert len(await sql(client, "mydb", "SELECT * FROM cpu")) == 2


@pytest.mark.parametrize(
    ("path", "params", "status", "body"),
    [
        ("/write", {}, 400, {"error": "database is required"}),
        ("/write", {"db": "x", "precision": "xx"}, 400,
         {"error": "invalid precision 'xx': expected one of n, ns, u, µ, us, ms, s, m, h"}),
        ("/api/v2/write", {}, 400, {"code": "invalid", "message": "bucket is required"}),
        ("/api/v2/write", {"bucket": "x", "precision": "n"}, 400,
         {"code": "invalid", "message": "invalid precision 'n': expected one of ns, us, ms, s"}),
        ("/api/v3/write_lp", {}, 400, {"error": "missing required parameter: db",
                                       "data": None}),
        ("/api/v3/write_lp", {"db": "x", "precision": "m"}, 400,
         {"error": "invalid precision 'm': expected one of auto, nanosecond, microsecond, "
                   "millisecond, second, ns, us, ms, s", "data": None}),
        ("/api/v3/write_lp", {"db": "x", "no_sync": "maybe"}, 400,
         {"error": "invalid value for no_sync: 'maybe', expected true or false", "data": None}),
    ],
)
async def test_parameter_errors(client: TestClient, path: str, params: dict, status: int,
                                body: dict) -> None:
    response = await client.post(path, params=params, data=b"cpu v=1")
    assert response.status == status
    assert await response.json() == body


@pytest.mark.parametrize(("path", "params"), ENDPOINTS)
async def test_empty_body_is_204(client: TestClient, path: str, params: dict) -> None:
    response = await client.post(path, params=params, data=b"")
    assert response.status == 204


async def test_precision_per_generation(client: TestClient) -> None:
    await client.post("/write", params={"db": "p", "precision": "h"}, data=b"m v=1 1")
    await client.post("/api/v2/write", params={"bucket": "p", "precision": "ms"}, data=b"m v=2 1")
    await client.post("/api/v3/write_lp", params={"db": "p"}, data=b"m v=3 1700000000")
    rows = await sql(client, "p", "SELECT epoch_ns(time) AS ns, v FROM m ORDER BY v")
    assert rows == [
        {"ns": 3_600_000_000_000, "v": 1.0},
        {"ns": 1_000_000, "v": 2.0},
        {"ns": 1_700_000_000_000_000_000, "v": 3.0},
    ]


async def test_bucket_with_retention_policy_addresses_database(client: TestClient) -> None:
    await client.post("/api/v2/write", params={"bucket": "db/autogen"}, data=b"m v=1 1")
    await client.post("/api/v2/write", params={"bucket": "db"}, data=b"m v=2 2")
    await client.post("/write", params={"db": "db", "rp": "autogen"}, data=b"m v=3 3")
    assert len(await sql(client, "db", "SELECT * FROM m")) == 3


async def test_idempotent_rewrite_and_field_merge(client: TestClient) -> None:
    write = {"db": "mydb"}
    for _ in range(3):  # client retries must not double-count
        assert (await client.post("/write", params=write,
                                  data=b"cpu,host=a usage=1,idle=9i 10\n")).status == 204
    await client.post("/write", params=write, data=b'cpu,host=a usage=2,note="x" 10\n')
    await client.post("/write", params=write, data=b"cpu,host=b usage=5 10\n")
    # the same point twice in one batch: the later line wins field by field
    await client.post("/write", params=write, data=b"cpu,host=c usage=1 11\ncpu,host=c usage=2 11")
    rows = await sql(client, "mydb",
                     "SELECT epoch_ns(time) AS t, host, usage, idle, note FROM cpu ORDER BY host")
    assert rows == [
        {"t": 10, "host": "a", "usage": 2.0, "idle": 9, "note": "x"},
        {"t": 10, "host": "b", "usage": 5.0},
        {"t": 11, "host": "c", "usage": 2.0},
    ]


async def test_series_without_tags_and_with_subsets_of_tags(client: TestClient) -> None:
    write = {"db": "mydb"}
    await client.post("/write", params=write, data=b"m v=1 1\nm,a=x v=2 1\nm,a=x,b=y v=3 1")
    await client.post("/write", params=write, data=b"m v=4 1\nm,a=x,b=y v=6 1")
    rows = await sql(client, "mydb", "SELECT a, b, v FROM m ORDER BY v")
    assert rows == [{"a": "x", "v": 2.0}, {"v": 4.0}, {"a": "x", "b": "y", "v": 6.0}]


async def test_body_limit_is_413(make_client) -> None:
    client = await make_client(write={"max_body_bytes": 100})
    big = b"cpu v=1 1\n" * 20
    response = await client.post("/write", params={"db": "x"}, data=big)
    assert response.status == 413
    assert "request body too large" in (await response.json())["error"]
    response = await client.post("/api/v2/write", params={"bucket": "x"}, data=big)
    assert response.status == 413
    assert (await response.json())["code"] == "request too large"


async def test_gzip_bomb_is_stopped_at_the_limit(make_client) -> None:
    client = await make_client(write={"max_body_bytes": 1_000_000})
    inflater = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = inflater.compress(b"\0" * 500_000_000) + inflater.flush()  # ~0.5 MB -> 500 MB
    assert len(bomb) < 1_000_000
    response = await client.post("/api/v3/write_lp", params={"db": "x"}, data=bomb,
                                 headers={"Content-Encoding": "gzip"})
    assert response.status == 413
    assert "limit is 1000000 bytes" in (await response.json())["error"]


async def test_invalid_gzip_is_400(client: TestClient) -> None:
    response = await client.post("/write", params={"db": "x"}, data=b"not gzip",
                                 headers={"Content-Encoding": "gzip"})
    assert response.status == 400
    assert (await response.json())["error"] == "unexpected EOF"  # 8 bytes: half a header


async def test_unknown_content_encoding_is_415(client: TestClient) -> None:
    response = await client.post("/api/v2/write", params={"bucket": "x"}, data=b"x",
                                 headers={"Content-Encoding": "br"})
    assert response.status == 415
    assert (await response.json())["code"] == "unsupported media type"


async def test_auto_create_off_answers_404(make_client) -> None:
    client = await make_client(write={"auto_create_databases": False})
    response = await client.post("/write", params={"db": "nope"}, data=b"m v=1")
    assert response.status == 404
    assert await response.json() == {"error": 'database not found: "nope"'}  # 1.x quoting
    assert (await client.post("/query", params={"q": 'CREATE DATABASE "nope"'})).status == 200
    assert (await client.post("/write", params={"db": "nope"}, data=b"m v=1")).status == 204


async def test_case_collision_rejects_the_line(client: TestClient) -> None:
    await client.post("/write", params={"db": "mydb"}, data=b"cpu v=1 1")
    response = await client.post("/write", params={"db": "mydb"}, data=b"CPU v=1 1\ncpu V=2 2")
    assert response.status == 400
    # 1.x names the first refusal only, and counts them all
    assert (await response.json())["error"] == (
        'partial write: measurement "CPU" differs only in case from existing "cpu" dropped=2')
    response = await client.post("/api/v3/write_lp", params={"db": "mydb"},
                                 data=b"CPU v=1 1\ncpu V=2 2")
    assert [line["error_message"] for line in (await response.json())["data"]] == [
        'measurement "CPU" differs only in case from existing "cpu"',
        'column "V" on measurement "cpu" differs only in case from existing "v"']


async def test_stored_type_decides_clashes_inside_a_batch(client: TestClient) -> None:
    """A string line before a float line: with float stored, 1.x keeps the float one."""
    await client.post("/write", params={"db": "mydb"}, data=b"cpu usage=1 1")
    response = await client.post("/write", params={"db": "mydb"},
                                 data=b'cpu usage="s" 2\ncpu usage=3 3')
    assert response.status == 400
    assert (await response.json())["error"].endswith("already exists as type float dropped=1")
    assert await sql(client, "mydb", "SELECT usage FROM cpu ORDER BY time") == [
        {"usage": 1.0}, {"usage": 3.0}]


async def test_new_field_takes_the_first_type_in_the_batch(client: TestClient) -> None:
    response = await client.post("/api/v3/write_lp", params={"db": "mydb"},
                                 data=b"cpu v=1i 1\ncpu v=2 2\ncpu v=3i 3\n")
    assert response.status == 400
    assert await response.json() == {
        "error": "partial write of line protocol occurred",
        "data": [{"original_line": "cpu v=2 2", "line_number": 2, "error_message":
                  'field type conflict: input field "v" on measurement "cpu" is type float, '
                  "already exists as type integer"}],
    }
    assert await sql(client, "mydb", "SELECT v FROM cpu ORDER BY time") == [{"v": 1}, {"v": 3}]


async def test_out_of_order_points_are_all_kept(client: TestClient) -> None:
    await client.post("/write", params={"db": "o"}, data=b"m,h=a v=1 30\nm,h=a v=2 40")
    await client.post("/write", params={"db": "o"}, data=b"m,h=a v=3 10\nm,h=a v=4 35")
    rows = await sql(client, "o", "SELECT epoch_ns(time) AS t, v FROM m ORDER BY time")
    assert rows == [{"t": 10, "v": 3.0}, {"t": 30, "v": 1.0}, {"t": 35, "v": 4.0},
                    {"t": 40, "v": 2.0}]


async def test_concurrent_writes_in_one_commit_group(client: TestClient) -> None:
    """Rewrites of one point racing each other leave one row; new points all arrive."""
    import asyncio

    async def post(body: bytes) -> int:
        return (await client.post("/write", params={"db": "c"}, data=body)).status

    statuses = await asyncio.gather(
        *(post(f"m,h=same v={i}i,w{i}={i}i 100".encode()) for i in range(20)),
        *(post(f"m,h=h{i} v={i}i {i}".encode()) for i in range(20)),
    )
    assert statuses == [204] * 40
    same = await sql(client, "c", "SELECT * FROM m WHERE h = 'same'")
    assert len(same) == 1
    assert {k for k in same[0] if k.startswith("w")} == {f"w{i}" for i in range(20)}
    assert await sql(client, "c", "SELECT count(*) AS n FROM m WHERE h <> 'same'") == [{"n": 20}]


async def test_names_with_dots_merge_correctly(client: TestClient) -> None:
    """Arrow's group-by reads ".host" as a field path; the merge must not."""
    for value in (1, 2):
        response = await client.post("/write", params={"db": "d"},
                                     data=f"m,.host=a,host=b v={value} 1".encode())
        assert response.status == 204, await response.text()
    assert await sql(client, "d", 'SELECT ".host", host, v FROM m') == [
        {".host": "a", "host": "b", "v": 2.0}]


async def test_names_differing_in_case_within_one_batch(client: TestClient) -> None:
    response = await client.post("/write", params={"db": "d"},
                                 data=b"n,h=a v=1 1\nn,H=b v=2 2\nn,h=c v=3 3")
    assert response.status == 400
    assert (await response.json())["error"] == (
        'partial write: column "H" on measurement "n" differs only in case from existing "h" '
        "dropped=1")
    assert await sql(client, "d", "SELECT h FROM n ORDER BY time") == [{"h": "a"}, {"h": "c"}]


async def test_nul_is_rejected_and_header_stays_valid(client: TestClient) -> None:
    response = await client.post("/write", params={"db": "d"}, data=b"m v=1 1\nm\x00x v=2 2")
    assert response.status == 400
    assert "invalid character NUL" in (await response.json())["error"]
    assert "\x00" not in response.headers["X-Influxdb-Error"]


async def test_concatenated_gzip_members_are_all_read(client: TestClient) -> None:
    body = gzip.compress(b"mg f=1 1\n") + gzip.compress(b"mg f=2 2\n")
    response = await client.post("/write", params={"db": "g"}, data=body,
                                 headers={"Content-Encoding": "gzip"})
    assert response.status == 204
    assert await sql(client, "g", "SELECT f FROM mg ORDER BY f") == [{"f": 1.0}, {"f": 2.0}]
    response = await client.post("/write", params={"db": "g"},
                                 data=gzip.compress(b"mg f=3 3\n") + b"garbage",
                                 headers={"Content-Encoding": "gzip"})
    assert response.status == 400
    assert (await response.json())["error"] == "unexpected EOF"  # 7 bytes: half a header


async def test_accept_partial_false_with_case_clash_inside_the_batch(client: TestClient) -> None:
    response = await client.post("/api/v3/write_lp",
                                 params={"db": "d3", "accept_partial": "false"},
                                 data=b"cpu f=1 1\nCPU f=2 1")
    assert response.status == 400
    assert (await response.json())["data"][0]["line_number"] == 2
    response = await client.get("/api/v3/query_sql", params={"db": "d3", "q": "SELECT 1"})
    assert response.status == 404  # nothing at all was stored


@pytest.mark.parametrize("body", [b"newm Time=1 1", b"newm2,TIME=x f=1 1",
                                  b"__influx_gateway_stage v=1 1"])
async def test_reserved_and_time_like_names_are_400(client: TestClient, body: bytes) -> None:
    response = await client.post("/write", params={"db": "tt"}, data=body)
    assert response.status == 400, await response.text()


async def test_a_string_across_lines_is_one_point_in_answers_and_storage(
        client: TestClient) -> None:
    """1.x reads a quoted string across lines; a refused point is quoted whole."""
    response = await client.post("/api/v3/write_lp", params={"db": "mydb"},
                                 data=b'log v=1i 1\nlog v="a\nlog v=2i 3" 2\nlog s="x\ny" 4\n')
    assert response.status == 400
    assert (await response.json())["data"] == [
        {"original_line": 'log v="a\nlog v=2i 3" 2', "line_number": 2, "error_message":
         'field type conflict: input field "v" on measurement "log" is type string, '
         "already exists as type integer"}]
    assert await sql(client, "mydb", "SELECT v, s FROM log ORDER BY time") == [
        {"v": 1}, {"s": "x\ny"}]


async def test_an_escaped_newline_joins_lines_and_later_lines_keep_their_numbers(
        client: TestClient) -> None:
    """1.x joins a line ending in a backslash with the next one (its line splitter skips the
    escaped byte); error line numbers still count the lines of the body."""
    response = await client.post("/api/v3/write_lp", params={"db": "mydb"},
                                 data=b"esc,t=a\\\nb v=1 1\nesc v=2 2\\\n 3\nesc v=x 4\n")
    assert response.status == 400
    assert (await response.json())["data"] == [
        {"original_line": "esc v=2 2\\\n 3", "line_number": 3,
         "error_message": "bad timestamp"},
        {"original_line": "esc v=x 4", "line_number": 5, "error_message": "invalid boolean"}]
    assert await sql(client, "mydb", "SELECT t, v FROM esc") == [{"t": "a\\\nb", "v": 1.0}]
