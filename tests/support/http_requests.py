"""Hypothesis strategies for HTTP requests to every route the gateway registers, mostly
malformed: parameters missing, repeated, empty, huge, with broken percent-escapes or NUL;
bodies of the wrong type, shape or encoding; credentials of every scheme, malformed.

Valid values come first in each choice, so a failing example shrinks towards a request that
is valid but for the one thing that breaks it.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from urllib.parse import quote_from_bytes

from hypothesis import strategies as st

from gateway.api.paths import V2_SOURCE_QUERY
from gateway.api.routes import ROUTES
from gateway.services.sources import SELF_ID

from .raw_http import RawRequest

NUMBERS = ["0", "1", "-1", "3", "10000", "9223372036854775807", "9223372036854775808",
           "-9223372036854775809", "9" * 40, "1e309", "NaN", "-inf", "0x10", " 5", "1.5", "+2"]
ODD = ["", " ", "\x00", "a\x00b", "é", "\u2028", "'", '"', "\\", "$", "*", "..",
       "/", "%", "\ufeff", "\t\n"]
# Escapes as they arrive in a URL: undecodable bytes, cut or not hexadecimal at all.
BROKEN_ESCAPES = ["%ff", "%fe%ff", "%c3", "%", "%f", "%zz", "%00", "%ed%a0%80", "%c0%af"]
PRECISIONS = ["ns", "n", "u", "us", "µ", "ms", "s", "m", "h", "auto", "nanosecond", "second",
              "NS", "d"]
BOOLEANS = ["true", "false", "1", "0", "TRUE", "yes", "t"]
INFLUXQL = [
    "SHOW DATABASES", "SELECT * FROM cpu", "SELECT mean(v) FROM cpu GROUP BY time(1m), h",
    "SELECT v FROM cpu WHERE time > $t AND h = $h", "SHOW MEASUREMENTS; SHOW FIELD KEYS",
    "SELECT count(v) FROM cpu GROUP BY *", "SHOW RETENTION POLICIES", "CREATE DATABASE fz2",
    "SELECT v FROM cpu LIMIT $n", "SHOW TAG VALUES WITH KEY = h", "SELECT * FROM /c.*/",
    "SELECT percentile(v, 50) FROM cpu", "SELECT v INTO x FROM cpu", "DELETE FROM nope",
    "SELECT top(v, 2), h FROM cpu", "SELECT derivative(v) FROM cpu WHERE h =~ /a/",
    "SELECT mean(v) FROM cpu WHERE time > now() - 1h GROUP BY time(10m) fill(previous)",
    "SELECT * FROM cpu SLIMIT 1 SOFFSET 1", "SHOW TAG KEYS FROM cpu", "SHOW SERIES LIMIT $n",
    "SELECT * FROM (SELECT max(v) FROM cpu GROUP BY h)", "DROP SERIES FROM nope",
]
SQL = ["SELECT * FROM cpu", "SELECT count(*) FROM cpu", "SELECT $a::int AS a",
       "SELECT h, avg(v) FROM cpu GROUP BY h", "SHOW TABLES", "SELECT * FROM cpu WHERE v > $v",
       "EXPLAIN SELECT 1", "SELECT date_bin(INTERVAL '1 minute', time) FROM cpu",
       "SELECT * FROM cpu ORDER BY time DESC LIMIT 1", "SELECT $v AS v, $a AS a",
       "SELECT h, count(*) FROM cpu GROUP BY h HAVING count(*) > 0",
       "SELECT * FROM information_schema.columns", "SELECT selector_max(v, time) FROM cpu"]
LINES = [b"cpu,h=a v=1.5 1700000000000000000", b"cpu,h=b v=2i", b'cpu s="x y",ok=t 1',
         b"cpu v=", b"cpu,h= v=1", b"\xff\xfe v=1", b"m v=1 99999999999999999999",
         b"m v=1.5,v=2", b"# comment", b"", b"cpu v=1 1700000000"]
V3_FORMATS = ["json", "jsonl", "csv", "parquet", "pretty", "JSON", "xml"]
ACCEPT = ["application/json", "application/csv", "text/csv", "application/x-msgpack",
          "application/jsonl", "application/vnd.apache.parquet", "text/plain", "*/*", "",
          "TEXT/CSV", "application/csv, text/csv", "application/json;q=0", ";;", "\xff\xfe"]
CONTENT_TYPES = ["application/json", "text/plain; charset=utf-8",
                 "application/x-www-form-urlencoded", "multipart/form-data; boundary=b",
                 "multipart/form-data", "application/x-www-form-urlencoded; charset=latin-1",
                 "application/x-www-form-urlencoded; charset=bogus", "application/octet-stream",
                 "application/json; charset=utf-16", "\xff", ""]
ENCODINGS = ["gzip", "x-gzip", "identity", "deflate", "br", "gzip, gzip", "GZIP", "\xff", ""]

WRITE_PARAMS = {"db": ["fz"], "rp": ["autogen", "nope"], "precision": PRECISIONS,
                "consistency": ["one", "all", "bogus"]}
PARAMS: dict[str, dict[str, list[str]]] = {
    "/write": WRITE_PARAMS,
    "/query": {"q": INFLUXQL, "db": ["fz"], "rp": ["autogen"],
               "epoch": ["ns", "u", "µ", "ms", "s", "m", "h", "x"], "chunked": BOOLEANS,
               "chunk_size": NUMBERS, "params": ['{"t": 0, "h": "a", "n": 2}', "[1]", "null",
                                                 '{"t": {"x": 1}}', '{"n": -1}', "[" * 1500,
                                                 '{"t": 1e400}', '"s"', "{}"]},
    "/api/v2/write": {"bucket": ["fz", "fz/autogen", "/", "fz/"], "org": ["o"],
                      "orgID": ["0000000000000001"], "precision": PRECISIONS},
    "/api/v3/write_lp": {"db": ["fz"], "precision": PRECISIONS,
                         "accept_partial": BOOLEANS, "no_sync": BOOLEANS},
    "/api/v3/query_sql": {"db": ["fz"], "q": SQL, "format": V3_FORMATS,
                          "params": ['{"a": 1, "v": 0.5}', '{"a": [1]}', "[]", '{"a": null}']},
    "/api/v3/query_influxql": {"db": ["fz"], "q": INFLUXQL, "format": V3_FORMATS,
                               "params": ['{"t": 0, "h": "a"}', "{}", "5"]},
    "/api/v3/configure/database": {"db": ["fz3", "fz"], "format": V3_FORMATS},
    "/api/v3/configure/table": {"db": ["fz"], "table": ["t3", "cpu"]},
    "/api/v2/sources": {"org": ["o"]},
}
REQUIRED = frozenset({"db", "q", "bucket", "table"})
CREDENTIAL_PARAMS = {"u": ["admin", ""], "p": ["", "secret"], "pretty": ["true"]}
SOURCE_IDS = ["0000000000000001", SELF_ID, "ffffffffffffffff", "zz", "0" * 17, "%00",
              "%ff%fe", "x" * 300]
UNKNOWN_PATHS = ["/api/v2/query", "/api/v2/buckets", "/api/v2/delete", "/api/v2/orgs",
                 "/api/v3/nope", "/admin/nope", "/write/", "//query", "/query/x", "/",
                 "/api/v2", "/api/v3/configure", V2_SOURCE_QUERY.format(sourceID=SELF_ID),
                 "/debug/vars", "/%ff", "/api/v3/%00"]
# Methods aiohttp's parser knows (an unknown one is refused before any route, in plain text).
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND"]


# Huge values, drawn rather than listed so that statistics and failures print short.
HUGE = st.integers(4000, 6000).map(lambda n: "x" * n)


def json_values(depth: int = 2) -> st.SearchStrategy[object]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                        st.floats(allow_nan=False), st.sampled_from(ODD + ["fz", "cpu"]),
                        HUGE, st.text(max_size=8))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(
            ["db", "q", "name", "type", "x", ""]), inner, max_size=3)), max_leaves=depth * 4)


def _quote(value: str) -> str:
    return quote_from_bytes(value.encode("utf-8", "surrogatepass"), safe="")


def encoded_value(valid: list[str], noisy: bool = True) -> st.SearchStrategy[str]:
    """A query-string or form value, percent-encoded as sent: a valid one unless `noisy`."""
    if not noisy and valid:
        return st.sampled_from(valid).map(_quote)
    text = st.one_of(st.sampled_from(valid or ["x"]), st.sampled_from(NUMBERS + ODD), HUGE,
                     st.text(max_size=12))
    plain = text.map(_quote)
    raw = st.binary(max_size=12).map(lambda value: quote_from_bytes(value, safe=""))
    broken = st.tuples(plain, st.sampled_from(BROKEN_ESCAPES)).map("".join)
    return st.one_of(plain, broken, raw)


@st.composite
def query_string(draw: st.DrawFn, names: dict[str, list[str]], clean: bool = False) -> str:
    """Each known parameter absent, given once, or repeated; a few unknown ones. A drawn
    noise level decides how many values are odd, so that some requests are valid but for
    one thing and reach deep into their handler."""
    noise = 0 if clean else draw(st.sampled_from([0, 1, 3, 10]))  # in tenths
    pairs: list[tuple[str, str]] = []
    for name, valid in {**CREDENTIAL_PARAMS, **names}.items():
        counts = ([0, 0, 0, 1] if name in CREDENTIAL_PARAMS
                  else [1, 1, 1, 0, 2] if name in REQUIRED else [0, 0, 1, 1, 2])
        count = draw(st.sampled_from(counts))
        pairs += [(name, draw(encoded_value(valid, draw(st.integers(0, 9)) < noise)))
                  for _ in range(count)]
    extra = draw(st.lists(st.tuples(st.sampled_from(["x", "", "%ff", "db%00", "q "]),
                                    encoded_value([])), max_size=2 if noise else 0))
    pairs += [(quote_from_bytes(k.encode(), safe="%"), v) for k, v in extra]
    pairs = draw(st.permutations(pairs))
    joined = "&".join(f"{k}={v}" if draw(st.booleans()) or v else k for k, v in pairs)
    return "?" + joined if joined else ""


def _form(pairs: dict[str, object]) -> bytes:
    return "&".join(f"{k}={quote_from_bytes(str(v).encode(), safe='')}"
                    for k, v in pairs.items()).encode()


@st.composite
def body_for(draw: st.DrawFn, path: str, clean: bool = False,
             database: str = "fz") -> tuple[bytes, str | None]:
    """(body, Content-Type) that the route reads, with wrong types and shapes mixed in
    unless `clean`."""
    if path in ("/write", "/api/v2/write", "/api/v3/write_lp"):
        lines = draw(st.lists(st.one_of(st.sampled_from(LINES), st.binary(max_size=20)),
                              max_size=5))
        return b"\n".join(lines), draw(st.sampled_from([None, "text/plain"]))
    if path == "/query":
        params = PARAMS["/query"]
        pairs = {name: draw(st.sampled_from(params[name]))
                 for name in draw(st.sets(st.sampled_from(sorted(params))))}
        kind = draw(st.sampled_from(["form", "form", "multipart", "raw"]))
        if kind == "form":
            return _form(pairs), "application/x-www-form-urlencoded"
        if kind == "multipart":
            parts = b"".join(b'--b\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                             % (k.encode(), str(v).encode()) for k, v in pairs.items())
            return parts + draw(st.sampled_from([b"--b--\r\n", b"--b", b""])), \
                "multipart/form-data; boundary=b"
        return draw(st.binary(max_size=40)), "application/x-www-form-urlencoded"
    document: object
    if clean and path in ("/api/v3/query_sql", "/api/v3/query_influxql"):
        document = {"db": database, "q": draw(st.sampled_from(
            SQL if path.endswith("sql") else INFLUXQL))}
        if draw(st.booleans()):
            document["format"] = draw(st.sampled_from(V3_FORMATS[:5]))
        if draw(st.booleans()):
            document["params"] = {"a": 1, "v": 0.5, "t": 0, "h": "a", "n": 2}
    elif clean and path == "/api/v3/configure/table":
        document = {"db": database, "table": draw(st.sampled_from(["t3", "cpu", "t4"])),
                    "tags": ["h"], "fields": [{"name": "f", "type": draw(st.sampled_from(
                        sorted(["utf8", "int64", "uint64", "float64", "bool"])))}]}
    elif path in ("/api/v3/query_sql", "/api/v3/query_influxql"):
        queries = SQL if path.endswith("sql") else INFLUXQL
        document = draw(st.fixed_dictionaries({}, optional={
            "db": st.one_of(st.just("fz"), json_values(1)),
            "q": st.one_of(st.sampled_from(queries), json_values(1)),
            "format": st.one_of(st.sampled_from(V3_FORMATS), json_values(1)),
            "params": st.one_of(st.just({"a": 1, "v": 0.5, "t": 0, "h": "a"}),
                                json_values(2))}))
    elif path == "/api/v3/configure/database":
        document = {"db": draw(st.one_of(st.sampled_from(["fz3", "a b", "x" * 70]),
                                         json_values(1)))}
    elif path == "/api/v3/configure/table":
        document = draw(st.fixed_dictionaries({}, optional={
            "db": st.one_of(st.just("fz"), json_values(1)),
            "table": st.one_of(st.just("t3"), json_values(1)),
            "tags": st.one_of(st.just(["h"]), json_values(2)),
            "fields": st.one_of(st.just([{"name": "f", "type": "int64"}]), json_values(3))}))
    elif path.startswith("/api/v2/sources"):
        document = draw(st.fixed_dictionaries({}, optional={
            "name": st.one_of(st.just("src"), json_values(1)),
            "type": st.one_of(st.sampled_from(["v1", "v2", "v3", "self"]), json_values(1)),
            "url": st.one_of(st.sampled_from(["http://127.0.0.1:1", "ftp://x", "http://[::1",
                                              "http://u:p@h", "http://h:99999"]),
                             json_values(1)),
            "token": json_values(1), "default": json_values(1), "orgID": json_values(1)}))
    elif path == "/admin/routes":
        route = st.fixed_dictionaries({}, optional={
            "database": st.one_of(st.just("fzr*"), json_values(1)),
            "mode": st.one_of(st.sampled_from(["single", "mirror", "shard"]), json_values(1)),
            "targets": st.one_of(st.just(["native"]), st.just(["nosuch"]), json_values(2))})
        document = {"routes": draw(st.one_of(st.lists(route, max_size=2), json_values(2)))}
    else:
        document = draw(json_values(2))
    if not clean and draw(st.integers(0, 4)) == 0:
        document = draw(json_values(3))  # a JSON document of the wrong shape
    raw = json.dumps(document).encode()
    if not clean and draw(st.integers(0, 5)) == 0:
        raw = draw(st.sampled_from([raw[:len(raw) // 2], b"\xff\xfe", b"[" * 2000, b"",
                                    b'{"db": "\\ud800"}', b"nul\x00", raw + b"x"]))
    return raw, draw(st.sampled_from(["application/json", None]))


def _gzip_variant(body: bytes, kind: str) -> bytes:
    packed = gzip.compress(body)
    if kind == "truncated":
        return packed[:max(2, len(packed) // 2)]
    if kind == "wrong-size":  # the trailer claims another length
        return packed[:-4] + (len(body) + 1000).to_bytes(4, "little")
    if kind == "trailing":
        return packed + b"junk"
    if kind == "twice":
        return gzip.compress(packed)
    return packed


AUTHORIZATION = [
    "Token ", "Token", "Bearer ", "Bearer a.b", "Bearer a.b.c.d", "Bearer ..",
    "Bearer " + base64.urlsafe_b64encode(b'{"alg":"none"}').decode() + ".e30.",
    "Bearer eyJ!!!.eyJ.sig", "Basic !!!", "Basic " + base64.b64encode(b"nocolon").decode(),
    "Basic " + base64.b64encode(b"\xff:\xfe").decode(), "Basic", "Basic =", "Digest x=y",
    "Token u:p:q", "token  x", "TOKEN x", "Bearer \t", "x" * 3000,
]


@st.composite
def authorization(draw: st.DrawFn, token: str | None) -> bytes | None:
    choices: list[bytes | None] = [None, *(a.encode() for a in AUTHORIZATION),
                                   b"Token \xff\xfe", b"Basic \xc3\x28"]
    if token and draw(st.booleans()):  # half the requests get past authentication
        basic = base64.b64encode(f"u:{token}".encode()).decode()
        return draw(st.sampled_from([f"Token {token}".encode(), f"Bearer {token}".encode(),
                                     f"Basic {basic}".encode()]))
    return draw(st.sampled_from(choices))


def _fill(path: str, source_id: str) -> str:
    return re.sub(r"\{sourceID\}", source_id, path)


@st.composite
def requests(draw: st.DrawFn, token: str | None = None,
             databases: tuple[str, ...] = ("fz",)) -> RawRequest:
    """Any route of the route table (or none), mostly with its own method; a third of them
    valid but for the odd header or line, to reach past the handlers' checks."""
    clean = draw(st.integers(0, 2)) == 0
    route_method, route_path, _ = draw(st.sampled_from(ROUTES))
    path = draw(st.one_of(st.just(route_path), st.sampled_from(UNKNOWN_PATHS))
                if draw(st.integers(0, 9)) == 0 else st.just(route_path))
    path = _fill(path, draw(st.sampled_from(SOURCE_IDS)))
    method = draw(st.sampled_from(METHODS)) if draw(st.integers(0, 9)) == 0 else route_method
    names = dict(PARAMS.get(route_path.split("{")[0].rstrip("/"), {}))
    for key in ("db", "bucket"):
        if key in names:
            names[key] = [databases[0]] * 3 + [*databases[1:], *names[key][1:]]
    if token:
        names["p"] = [token]
    target = path + draw(query_string(names, clean))
    body, content_type = b"", None
    if method in ("POST", "PUT", "PATCH") or draw(st.integers(0, 9)) == 0:
        body, content_type = draw(body_for(route_path, clean, databases[0]))
    headers: list[tuple[str, bytes]] = []
    if not clean and draw(st.integers(0, 3)) == 0:
        content_type = draw(st.sampled_from(CONTENT_TYPES))
    if content_type is not None:
        headers.append(("Content-Type", content_type.encode("latin-1")))
    if body and draw(st.integers(0, 3)) == 0:
        kind = "plain" if clean else draw(st.sampled_from(
            ["plain", "truncated", "wrong-size", "trailing", "twice"]))
        body = _gzip_variant(body, kind)
        headers.append(("Content-Encoding", b"gzip"))
    elif not clean and draw(st.integers(0, 9)) == 0:
        headers.append(("Content-Encoding", draw(st.sampled_from(ENCODINGS)).encode("latin-1")))
    credentials = draw(authorization(token))
    if credentials is not None:
        headers.append(("Authorization", credentials))
    if draw(st.booleans()):
        headers.append(("Accept", draw(st.sampled_from(ACCEPT)).encode("latin-1")))
    if draw(st.integers(0, 5)) == 0:
        headers.append(("Accept-Encoding", b"gzip"))
    headers = draw(st.permutations(headers))
    return RawRequest(method, target, tuple(headers), body, chunked=draw(st.integers(0, 7)) == 0)
