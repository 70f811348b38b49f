"""Error answers of writes split among targets, over real HTTP to real InfluxDB 1.6.7: the
caller gets what the native store answers for the same whole body on a database no route
splits, line numbers counted in the caller's body."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from gateway.app import create_app
from gateway.config import RouteConfig, UpstreamConfig
from gateway.services.routing import HashRing
from tests.conftest import GatewayTestServer, make_config
from tests.support.fake_upstreams import FakeInfluxDB2, FakeInfluxDB3
from tests.support.influxd import Influxd
from tests.support.ports import free_port
from tests.upstream.test_translation_routes import routed, v2, v3

__all__ = ["routed"]  # the fixture, imported for the tests here

WRITES = {
    "v1": ("/write", "db"),
    "v2": ("/api/v2/write", "bucket"),
    "v3": ("/api/v3/write_lp", "db"),
}


async def gateway(aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd,
                  *routes: RouteConfig) -> TestClient:
    return await with_1x(aiohttp_client, tmp_path, {"one": influxdb1.url}, *routes)


async def with_1x(aiohttp_client: Callable, tmp_path: Path, urls: dict[str, str],
                  *routes: RouteConfig) -> TestClient:
    """A gateway whose 1.x upstreams are at `urls` (by name)."""
    config = dataclasses.replace(
        make_config(tmp_path / "data"), routes=routes,
        upstreams=tuple(UpstreamConfig(name=name, type="influxdb1", url=url)
                        for name, url in urls.items()))
    return await aiohttp_client(GatewayTestServer(create_app(config)))


def shards(database: str) -> RouteConfig:
    return RouteConfig(database=database, mode="shard", shard_by="measurement",
                       targets=("a", "b"))


async def answer(client: TestClient, api: str, database: str, body: bytes
                 ) -> tuple[int, object]:
    path, name = WRITES[api]
    params = {name: database}
    if api == "v2":
        params["org"] = "my-org"
    reply = await client.post(path, params=params, data=body)
    text = await reply.text()
    return reply.status, (await reply.json() if text.strip() else None)


async def databases(client: TestClient, influxdb1: Influxd, routed: str) -> None:
    """`routed` made on the 1.x upstream and through the gateway, beside an unrouted "whole"
    whose answer is the reference."""
    async with client.session.post(f"{influxdb1.url}/query",
                                   params={"q": f"CREATE DATABASE {routed}"}) as created:
        assert created.status == 200
    for database in (routed, "whole"):
        assert (await client.post("/query", data={"q": f"CREATE DATABASE {database}"})
                ).status == 200


async def split_and_whole(aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd, api: str,
                          database: str, body: bytes) -> tuple[tuple[int, object], ...]:
    """`body` written through `api` to `database`, whose `up` lines go to the 1.x upstream and
    the rest to the native store, and to the unrouted "whole": the two answers."""
    client = await gateway(
        aiohttp_client, tmp_path, influxdb1,
        RouteConfig(database=database, measurement="up", targets=("one",)),
        RouteConfig(database="*", targets=("native",)))
    await databases(client, influxdb1, database)
    return (await answer(client, api, database, body),
            await answer(client, api, "whole", body))


@pytest.mark.parametrize("api", list(WRITES))
async def test_a_native_part_numbers_its_lines_in_the_callers_body(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd, api: str) -> None:
    body = b"up v=1 1\ncpu v=1 2\nup v=2 3\n\ncpu v=x 4\nup v=3 5\ncpu v=2 6"
    split, whole = await split_and_whole(aiohttp_client, tmp_path, influxdb1, api, "split", body)
    assert split[0] == 400
    assert split == whole


@pytest.mark.parametrize("body", [
    pytest.param(b"cpu v=1 1\nup v=x 2\ncpu v=y 3\nup v=z 4\ncpu v=2 5", id="some-stored"),
    pytest.param(b"up v=x 1\ncpu v=y 2\nup v=z 3", id="none-stored"),
])
@pytest.mark.parametrize("api", list(WRITES))
async def test_every_refusing_part_is_named_and_a_wholly_refused_part_is_a_partial_write(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd, api: str,
        body: bytes) -> None:
    # 1.x refuses the `up` part whole (its bare `unable to parse`) while the native store
    # writes some of its part and refuses one line: both parts' lines are named, in the
    # caller's order, in the partial write the native store gives for the whole body.
    split, whole = await split_and_whole(aiohttp_client, tmp_path, influxdb1, api, "both", body)
    assert split[0] == 400
    assert split == whole


@pytest.mark.parametrize("api", list(WRITES))
async def test_a_shard_refusing_all_its_lines_makes_a_partial_write_beside_stored_shards(
        aiohttp_client: Callable, tmp_path: Path, servers: tuple[Influxd, Influxd],
        api: str) -> None:
    client = await with_1x(aiohttp_client, tmp_path,
                           {"a": servers[0].url, "b": servers[1].url}, shards("sharded"))
    for server in servers:
        async with client.session.post(f"{server.url}/query",
                                       params={"q": "CREATE DATABASE sharded"}) as created:
            assert created.status == 200
    assert (await client.post("/query", data={"q": "CREATE DATABASE whole"})).status == 200
    # every other measurement's line refused: each shard's 1.x refuses its own (with or
    # without points stored beside them), and the caller gets all of them in one answer
    body = b"\n".join(
        f"m{k} v={'x' if k % 2 else k} {k + 1}".encode() for k in range(8))
    split = await answer(client, api, "sharded", body)
    whole = await answer(client, api, "whole", body)
    assert split[0] == 400
    assert split == whole


@pytest.mark.parametrize("api", list(WRITES))
async def test_a_point_kept_from_1x_is_named_in_the_callers_order_beside_refused_lines(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd, api: str) -> None:
    # the point that crashes 1.x (blanked out before the split) comes after a line the
    # native store refuses: the whole body's answer names them in body order
    body = b'cpu v=x 1\nup v=1 2\nup f\\\\="=a" 3\ncpu v=2 4'
    split, whole = await split_and_whole(aiohttp_client, tmp_path, influxdb1, api, "hazard", body)
    assert split[0] == 400
    assert split == whole


@pytest.mark.parametrize("api", list(WRITES))
async def test_a_1x_part_names_points_over_two_lines_and_after_blanks(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd, api: str) -> None:
    # 1.x quotes a point whose string holds a newline with that newline, and one sent after
    # blanks without them: each is still found in the part and numbered in the caller's body
    body = b'cpu v=1 1\nup s="a\nb",v=x 2\ncpu v=x 3\n  up v=y 4\nup v=1 5\ncpu v=2 6'
    split, whole = await split_and_whole(aiohttp_client, tmp_path, influxdb1, api, "spans", body)
    assert split[0] == 400
    assert split == whole


@pytest.mark.parametrize(("up", "cpu"), [
    pytest.param(1050, 30, id="1x-part-over-the-limit"),
    pytest.param(20, 1020, id="native-part-over-the-limit"),
])
@pytest.mark.parametrize("api", ["v1", "v2"])  # v3 lists the first 100 lines only
async def test_lines_past_the_native_stores_limit_are_counted_as_for_the_whole_body(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd, api: str, up: int,
        cpu: int) -> None:
    # the native store describes the first 1,000 lines that did not parse and counts the
    # rest; 1.x describes all of them: the split answer describes the whole body's first
    # 1,000, whichever part they came from, and counts the others
    lines = [f"up v=x {k + 1}" for k in range(up)] + [f"cpu v=y {k + 1}" for k in range(cpu)]
    lines = lines[::2] + lines[1::2]  # the two measurements interleaved
    lines[5:5] = ["up v=1 1", "cpu v=1 1"]
    body = "\n".join(lines).encode()
    split, whole = await split_and_whole(aiohttp_client, tmp_path, influxdb1, api, "many", body)
    assert split[0] == 400
    assert split == whole


@pytest.mark.parametrize("api", list(WRITES))
async def test_an_influxdb2_parts_400_names_its_lines_and_its_points_not_written(
        routed: Callable, api: str) -> None:
    # 2.x stores nothing of a part with a line it cannot parse: the caller's partial write
    # names that line in its own numbering, the native part's refused line, and the 2.x
    # part's other points as not written, counting only the native part's points as stored
    async with FakeInfluxDB2(buckets=("mixed",)) as fake:
        client = await routed([v2(fake.url)], [
            RouteConfig(database="mixed", measurement="up", targets=("two",)),
            RouteConfig(database="*", targets=("native",))])
        body = b"cpu v=1 1\nup v=1 2\ncpu v=x 3\nup bad 4\nup v=2 5\ncpu v=2 6"
        status, answered = await answer(client, api, "mixed", body)
        assert fake.lines["mixed"] == []
    unstored = "not written: upstream two stores nothing of a batch with a line it cannot parse"
    lines = [(2, "up v=1 2", unstored), (3, "cpu v=x 3", "invalid boolean"),
             (4, "up bad 4", "missing fields"), (5, "up v=2 5", unstored)]
    assert status == 400
    if api == "v1":
        assert answered == {"error": f"partial write: {unstored} dropped=2"}
    elif api == "v2":
        assert answered == {"code": "invalid", "line": 2, "message": (
            "partial write error (2 written): " + "\n".join(
                reason if reason == unstored else f"unable to parse '{text}': {reason}"
                for _, text, reason in lines))}
    else:
        assert answered == {"error": "partial write of line protocol occurred", "data": [
            {"original_line": text, "line_number": number, "error_message": reason}
            for number, text, reason in lines]}


@pytest.mark.parametrize("generation", ["v2", "v3"])
@pytest.mark.parametrize("api", list(WRITES))
async def test_a_failing_part_names_its_target_and_who_stored_the_rest(
        routed: Callable, api: str, generation: str) -> None:
    # a 500 from the 2.x or 3.x part while the native part was stored: the 500 stands (as on
    # a single route to that upstream; relayed in its own body to a caller of its
    # generation), naming the upstream and the native store
    fake = FakeInfluxDB2(buckets=("failing",)) if generation == "v2" else FakeInfluxDB3()
    async with fake:
        upstream = v2(fake.url, "up") if generation == "v2" else v3(fake.url, "up")
        client = await routed([upstream], [
            RouteConfig(database="failing", measurement="up", targets=("up",)),
            RouteConfig(database="*", targets=("native",))])
        fake.fail(500)
        status, answered = await answer(client, api, "failing",
                                        b"cpu v=1 1\nup v=1 2\ncpu v=2 3")
        stored = await client.post("/query", data={"db": "failing",
                                                   "q": "SELECT count(v) FROM cpu"})
        assert (await stored.json())["results"][0]["series"][0]["values"][0][1] == 2
    message = ("upstream up: the fake was told to fail (the write's other parts were "
               "stored by the native store)")
    assert status == 500
    # a 2.x caller of a 2.x upstream gets its code; of another, the gateway's for a 5xx
    code = "internal error" if generation == "v2" else "unavailable"
    assert answered == {"v1": {"error": message},
                        "v2": {"code": code, "message": message},
                        "v3": {"error": message, "data": None}}[api]


@pytest.mark.parametrize("api", list(WRITES))
async def test_an_unreachable_shard_is_named_beside_the_shards_that_stored(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd, api: str) -> None:
    client = await with_1x(aiohttp_client, tmp_path,
                           {"a": influxdb1.url, "b": f"http://127.0.0.1:{free_port()}"},
                           shards("halves"))
    async with client.session.post(f"{influxdb1.url}/query",
                                   params={"q": "CREATE DATABASE halves"}) as created:
        assert created.status == 200
    body = b"\n".join(f"m{k} v={k} {k + 1}".encode() for k in range(8))
    status, answered = await answer(client, api, "halves", body)
    assert status == 503
    assert isinstance(answered, dict)
    message = answered["message" if api == "v2" else "error"]
    assert message.startswith("upstream b is unavailable: ")
    assert message.endswith(" (the write's other parts were stored by upstream a)")


@pytest.mark.parametrize("api", list(WRITES))
async def test_points_beyond_retention_are_counted_across_shards(
        aiohttp_client: Callable, tmp_path: Path, servers: tuple[Influxd, Influxd],
        api: str) -> None:
    # each shard holds points older than the database's one-hour default policy, and one a
    # line that does not parse: 1.x answers `partial write: points beyond retention policy
    # dropped=N` for its part, naming neither its old points nor its unparsable line
    client = await with_1x(aiohttp_client, tmp_path,
                           {"a": servers[0].url, "b": servers[1].url}, shards("aged"))
    policy = "CREATE RETENTION POLICY short ON {} DURATION 1h REPLICATION 1 DEFAULT"
    for server in servers:
        for statement in ("CREATE DATABASE aged", policy.format("aged")):
            async with client.session.post(f"{server.url}/query",
                                           params={"q": statement}) as created:
                assert await created.json() == {"results": [{"statement_id": 0}]}
    for statement in ("CREATE DATABASE whole", policy.format("whole")):
        made = await client.post("/query", data={"q": statement})
        assert await made.json() == {"results": [{"statement_id": 0}]}
    for server in servers:  # the default policy on each
        async with client.session.post(f"{server.url}/query", params={
                "q": "SHOW RETENTION POLICIES ON aged"}) as shown:
            rows = (await shown.json())["results"][0]["series"][0]["values"]
            assert [row[0] for row in rows if row[-1]] == ["short"]
    now = time.time_ns()
    lines = [line for k in range(8) for line in (f"m{k} v=1 {now}", f"m{k} v=1 {k + 1}")]
    unparsed = [f"m0 v=x {now}", f"m5 v=y {now}"]
    body = "\n".join(lines + unparsed).encode()
    split = await answer(client, api, "aged", body)
    whole = await answer(client, api, "whole", body)
    assert split[0] == whole[0] == 400
    if api == "v1":
        assert split == whole == (400, {
            "error": "partial write: points beyond retention policy dropped=8"})
        return
    # which of 1.x's points were too old it does not say: they are counted, not named
    if api == "v2":
        assert split[1] == {"code": "invalid", "line": 17, "message": "\n".join([
            "partial write error (8 written): "
            + "\n".join(f"unable to parse '{text}': invalid boolean" for text in unparsed),
            "... and 8 more rejected lines"])}
    else:
        assert split[1] == {"error": "partial write of line protocol occurred", "data": [
            {"original_line": text, "line_number": number, "error_message": "invalid boolean"}
            for number, text in enumerate(unparsed, 17)]}


async def test_an_unreachable_shard_of_a_measurements_route_is_named_once(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd) -> None:
    # measurements up* are sharded over a (1.6.7) and b (nothing listening), the rest go to
    # the native store: one answer names b once, and both a and the native store as storing
    client = await with_1x(aiohttp_client, tmp_path,
                           {"a": influxdb1.url, "b": f"http://127.0.0.1:{free_port()}"},
                           dataclasses.replace(shards("nested"), measurement="up*"),
                           RouteConfig(database="*", targets=("native",)))
    await databases(client, influxdb1, "nested")
    body = b"\n".join(f"up{k} v={k} {k + 1}\ncpu v={k} {k + 1}".encode() for k in range(8))
    status, answered = await answer(client, "v1", "nested", body)
    assert status == 503
    assert isinstance(answered, dict)
    message = answered["error"]
    assert message.startswith("upstream b is unavailable: ")
    assert message.count("upstream b") == 1
    assert message.endswith(" (the write's other parts were stored by upstream a, "
                            "the native store)")


@pytest.mark.parametrize("api", list(WRITES))
async def test_an_influxdb3_parts_partial_write_is_numbered_in_the_callers_body(
        routed: Callable, api: str) -> None:
    # InfluxDB 3 stores the rest of its part and lists the lines it refused, numbered in the
    # part: one partial write names them beside the native part's, in the caller's numbers
    async with FakeInfluxDB3() as fake:
        client = await routed([v3(fake.url)], [
            RouteConfig(database="third", measurement="up", targets=("three",)),
            RouteConfig(database="*", targets=("native",))])
        body = b"cpu v=1 1\nup v=1 2\ncpu v=x 3\nup bad 4\nup v=2 5\ncpu v=2 6"
        status, answered = await answer(client, api, "third", body)
        assert [line.split()[:2] for line in fake.lines["third"]] == [["up", "v=1"],
                                                                      ["up", "v=2"]]
    lines = [(3, "cpu v=x 3", "invalid boolean"), (4, "up bad 4", "missing fields")]
    described = "\n".join(f"unable to parse '{text}': {reason}" for _, text, reason in lines)
    assert status == 400
    assert answered == {
        "v1": {"error": f"partial write: {described} dropped=0"},
        "v2": {"code": "invalid", "line": 3,
               "message": f"partial write error (4 written): {described}"},
        "v3": {"error": "partial write of line protocol occurred", "data": [
            {"original_line": text, "line_number": number, "error_message": reason}
            for number, text, reason in lines]},
    }[api]


@pytest.mark.parametrize("api", list(WRITES))
async def test_points_1x_refuses_for_a_time_key_are_named_beside_the_other_parts_lines(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd, api: str) -> None:
    # 1.x answers `partial write: invalid tag key: input tag "time" ... dropped=3` for its
    # part, naming neither those points nor its line that does not parse: all are named
    # in the caller's numbers beside the native part's refused line
    body = (b"cpu v=1 1\nup,time=1 v=1 2\nup v=x 3\ncpu v=y 4\nup time=1 5\nup v=1 6\n"
            b"up,time=2 v=1 7\ncpu v=2 8")
    split, whole = await split_and_whole(aiohttp_client, tmp_path, influxdb1, api, "timekeys", body)
    assert split[0] == 400
    assert split == whole


def shard_of(measurement: str) -> str:
    """The shard (a or b) the route `shards` sends a measurement's points to."""
    return HashRing(("a", "b")).target(measurement.encode())


async def writable(client: TestClient, server: Influxd, database: str, policy: str) -> None:
    """Wait until 1.6.7 writes to a retention policy it was just told to create: the first
    write after CREATE RETENTION POLICY was seen answered "retention policy not found"."""
    for _ in range(50):
        async with client.session.post(f"{server.url}/write", params={
                "db": database, "rp": policy}, data=b"probe v=1") as probed:
            if probed.status == 204:
                return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{server.url} never took writes to {database}.{policy}")


async def test_a_failing_shard_names_the_lines_another_shard_refused(
        aiohttp_client: Callable, tmp_path: Path, servers: tuple[Influxd, Influxd]) -> None:
    # shard a's 1.6.7 lacks the retention policy written to (its 500), shard b's refuses
    # lines and stores the rest: the 500 stands, so the caller retries, and its text names
    # the lines b refused (sent again they are refused again) beside who stored the rest
    client = await with_1x(aiohttp_client, tmp_path,
                           {"a": servers[0].url, "b": servers[1].url}, shards("kept"))
    statements = {"a": ["CREATE DATABASE kept"],
                  "b": ["CREATE DATABASE kept",
                        "CREATE RETENTION POLICY keep ON kept DURATION 1h REPLICATION 1"]}
    for name, server in zip("ab", servers, strict=True):
        for statement in statements[name]:
            async with client.session.post(f"{server.url}/query",
                                           params={"q": statement}) as made:
                assert await made.json() == {"results": [{"statement_id": 0}]}
    await writable(client, servers[1], "kept", "keep")
    now = time.time_ns()
    lines = [f"m{k} v={'x' if k % 2 else k} {now + k}" for k in range(8)]
    reply = await client.post("/write", params={"db": "kept", "rp": "keep"},
                              data="\n".join(lines).encode())
    refused = [line for line in lines if shard_of(line.split()[0]) == "b" and " v=x " in line]
    assert refused and any(shard_of(f"m{k}") == "a" for k in range(8))
    assert reply.status == 500
    assert await reply.json() == {"error": (
        "upstream a: retention policy not found: keep (the write's other parts were stored "
        "by upstream b; lines refused: "
        + "\n".join(f"unable to parse '{line}': invalid boolean" for line in refused) + ")")}
    async with client.session.post(f"{servers[1].url}/query", params={
            "db": "kept", "q": 'SELECT count(v) FROM "keep"./m/'}) as stored:
        counted = {s["name"]: s["values"][0][1]
                   for s in (await stored.json())["results"][0]["series"]}
    assert counted == {f"m{k}": 1 for k in range(0, 8, 2) if shard_of(f"m{k}") == "b"}


@pytest.mark.parametrize("api", list(WRITES))
async def test_an_unreachable_shard_is_named_beside_the_lines_the_other_refused(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd, api: str) -> None:
    # b does not answer (503, retried), a refuses some of its lines: the answer names
    # them, in the caller's order; b's own line that would not parse is not named (b was
    # never asked)
    client = await with_1x(aiohttp_client, tmp_path,
                           {"a": influxdb1.url, "b": f"http://127.0.0.1:{free_port()}"},
                           shards("refusing"))
    async with client.session.post(f"{influxdb1.url}/query",
                                   params={"q": "CREATE DATABASE refusing"}) as created:
        assert created.status == 200
    lines = [f"m{k} v={'y' if k % 3 else k} {k + 1}" for k in range(8)]
    status, answered = await answer(client, api, "refusing", "\n".join(lines).encode())
    refused = [line for line in lines if shard_of(line.split()[0]) == "a" and " v=y " in line]
    assert len(refused) >= 2
    assert status == 503
    assert isinstance(answered, dict)
    message = answered["message" if api == "v2" else "error"]
    assert message.startswith("upstream b is unavailable: ")
    assert message.endswith(
        " (the write's other parts were stored by upstream a; lines refused: "
        + "\n".join(f"unable to parse '{line}': invalid boolean" for line in refused) + ")")


async def test_a_measurements_route_names_refused_lines_of_its_shards_and_of_the_rest(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd) -> None:
    # up* sharded over a (1.6.7) and b (nothing listening), the rest to the native store:
    # the lines a and the native store refused are named once, in the caller's order
    client = await with_1x(aiohttp_client, tmp_path,
                           {"a": influxdb1.url, "b": f"http://127.0.0.1:{free_port()}"},
                           dataclasses.replace(shards("mixed"), measurement="up*"),
                           RouteConfig(database="*", targets=("native",)))
    await databases(client, influxdb1, "mixed")
    lines = [line for k in range(8) for line in (f"up{k} v={'x' if k % 2 else k} {k + 1}",
                                                 f"cpu v={'z' if k % 3 == 1 else k} {k + 1}")]
    status, answered = await answer(client, "v3", "mixed", "\n".join(lines).encode())
    refused = [line for line in lines if line.startswith("cpu") and " v=z " in line
               or line.startswith("up") and " v=x " in line and shard_of(line.split()[0]) == "a"]
    assert any(line.startswith("up") for line in refused)
    assert status == 503
    assert isinstance(answered, dict)
    assert answered["error"].startswith("upstream b is unavailable: ")
    assert answered["error"].endswith(
        " (the write's other parts were stored by upstream a, the native store; lines "
        "refused: " + "\n".join(f"unable to parse '{line}': invalid boolean"
                                for line in refused) + ")")


async def test_a_mirror_that_only_queued_its_part_is_named_as_queuing_it(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd) -> None:
    # `up` is mirrored from 1.6.7 to a mirror that does not answer (its part queued for
    # replay), the rest goes to an upstream that does not answer either: the answer says
    # the mirror queued the part, not that it stored it
    gone = f"http://127.0.0.1:{free_port()}"
    client = await with_1x(aiohttp_client, tmp_path,
                           {"one": influxdb1.url, "mirror": gone, "down": gone},
                           RouteConfig(database="queuing", measurement="up", mode="mirror",
                                       targets=("one", "mirror")),
                           RouteConfig(database="queuing", targets=("down",)))
    async with client.session.post(f"{influxdb1.url}/query",
                                   params={"q": "CREATE DATABASE queuing"}) as created:
        assert created.status == 200
    status, answered = await answer(client, "v1", "queuing", b"up v=1 1\ncpu v=1 2")
    assert status == 503
    assert isinstance(answered, dict)
    assert answered["error"].startswith("upstream down is unavailable: ")
    assert answered["error"].endswith(" (the write's other parts were stored by upstream "
                                      "one; queued for upstream mirror)")
    report = (await (await client.get("/admin/replay")).json())["targets"]["mirror"]
    assert report["queue"]["depth"] == 1


async def test_a_point_kept_from_1x_is_named_beside_an_unreachable_shard(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd) -> None:
    # the point that crashes 1.x is blanked out before the split and sent nowhere: beside a
    # shard that cannot be reached it is named as refused (it was lost from the answer)
    client = await with_1x(aiohttp_client, tmp_path,
                           {"a": influxdb1.url, "b": f"http://127.0.0.1:{free_port()}"},
                           shards("guarded"))
    async with client.session.post(f"{influxdb1.url}/query",
                                   params={"q": "CREATE DATABASE guarded"}) as created:
        assert created.status == 200
    crash = 'm0 f\\\\="=" 9'
    lines = [f"m{k} v={k} {k + 1}" for k in range(8)]
    status, answered = await answer(client, "v1", "guarded",
                                    "\n".join([*lines[:4], crash, *lines[4:]]).encode())
    assert status == 503
    assert isinstance(answered, dict)
    assert answered["error"].startswith("upstream b is unavailable: ")
    assert answered["error"].endswith(
        " (the write's other parts were stored by upstream a; lines refused: "
        f"unable to parse '{crash}': unbalanced quotes)")


@pytest.mark.parametrize("api", ["v1", "v2"])  # v3 lists the first 100 lines only
async def test_points_refused_for_a_time_key_count_against_the_parsers_limit(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd, api: str) -> None:
    # the native store's parser describes the first 1,000 lines it rejects, those that do
    # not parse and those refused for a `time` tag or field alike: points with a `time` tag
    # after 1,000 lines that did not parse (in the 1.x part) are counted, not described
    lines = [f"up v=x {k + 1}" for k in range(1010)]
    lines[500:500] = [f"cpu,time=1 v={k} {k + 1}" for k in range(3)]
    lines += [f"cpu,time=2 v={k} {k + 1}" for k in range(4)] + ["cpu v=1 1", "up v=1 1"]
    split, whole = await split_and_whole(aiohttp_client, tmp_path, influxdb1, api, "timed",
                                         "\n".join(lines).encode())
    assert split[0] == 400
    assert split == whole


@pytest.mark.parametrize("api", list(WRITES))
async def test_points_1x_refuses_for_a_field_type_are_named_beside_the_other_parts_lines(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd, api: str) -> None:
    # 1.x holds `v` of `up` as a float and answers `partial write: field type conflict ...
    # dropped=1` for its part, naming neither that point nor its line that does not parse:
    # within one hour its points meet one shard's types, so both are named, in the caller's
    # numbers, as the native store names them for the whole body holding the same types
    client = await gateway(
        aiohttp_client, tmp_path, influxdb1,
        RouteConfig(database="typed", measurement="up", targets=("one",)),
        RouteConfig(database="*", targets=("native",)))
    await databases(client, influxdb1, "typed")
    for database in ("typed", "whole"):
        assert await answer(client, api, database, b"up v=1.5 1") == (204, None)
    body = b"cpu v=1 1\nup v=2i 2\nup v=1.0 3\ncpu v=x 4\nup v=y 5\ncpu v=2 6"
    split = await answer(client, api, "typed", body)
    whole = await answer(client, api, "whole", body)
    assert split[0] == 400
    assert split == whole


async def test_a_field_type_conflict_over_several_1x_shards_is_left_as_1x_said_it(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd) -> None:
    # 1.x keeps field types per shard: `v` is a float in the shard of 1970's first week and
    # an integer in one thirty days on, so which of the part's points it refused cannot be
    # told from its answer (it names one shard's conflict and counts that shard's points
    # alone: dropped=1 for two refused). The part's answer is 1.x's, with the other parts'
    # refused lines, and no point is named that 1.x stored.
    client = await gateway(
        aiohttp_client, tmp_path, influxdb1,
        RouteConfig(database="pershard", measurement="up", targets=("one",)),
        RouteConfig(database="*", targets=("native",)))
    await databases(client, influxdb1, "pershard")
    later = 30 * 86400 * 10**9
    assert await answer(client, "v1", "pershard", f"up v=1.5 1\nup v=1i {later}".encode()) == (
        204, None)
    body = f"up v=2i 2\nup v=3i {later + 1}\nup v=4.5 {later + 2}\ncpu v=x 3\ncpu v=1 4"
    status, answered = await answer(client, "v1", "pershard", body.encode())
    assert status == 400
    assert isinstance(answered, dict)
    message = answered["error"]
    assert message.startswith("upstream one: partial write: field type conflict: ")
    assert message.endswith(" dropped=1 (the write's other parts were stored by the native "
                            "store; lines refused: unable to parse 'cpu v=x 3': invalid "
                            "boolean)")
    async with client.session.post(f"{influxdb1.url}/query", params={
            "db": "pershard", "q": "SELECT v FROM up", "epoch": "ns"}) as stored:
        values = (await stored.json())["results"][0]["series"][0]["values"]
    # v=2i and v=4.5 were refused, each by its shard; v=3i was stored
    assert [value for _, value in values] == [1.5, 1, 3]


async def test_type_conflicts_of_two_measurements_in_two_1x_shards_are_left_as_1x_said_them(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd) -> None:
    # up and uq (both to 1.x) each give a field another type than their shard holds, in
    # shards thirty days apart: 1.x reports one shard's conflict, dropped=1, for two refused
    # points. Naming only the points of the conflict it reported would count the other as
    # stored: the answer stays 1.x's.
    client = await gateway(
        aiohttp_client, tmp_path, influxdb1,
        RouteConfig(database="twotypes", measurement="u*", targets=("one",)),
        RouteConfig(database="*", targets=("native",)))
    await databases(client, influxdb1, "twotypes")
    later = 30 * 86400 * 10**9
    assert await answer(client, "v1", "twotypes",
                        f"up v=1.5 1\nuq w=1i {later}".encode()) == (204, None)
    body = f"up v=2i 2\nuq w=2.5 {later + 1}\ncpu v=1 3"
    status, answered = await answer(client, "v1", "twotypes", body.encode())
    assert status == 400
    assert isinstance(answered, dict)
    assert answered["error"].startswith("upstream one: partial write: field type conflict: ")
    assert answered["error"].endswith(" dropped=1 (the write's other parts were stored by the "
                                      "native store)")
    async with client.session.post(f"{influxdb1.url}/query", params={
            "db": "twotypes", "q": "SELECT count(*) FROM /u./"}) as stored:
        series = (await stored.json())["results"][0]["series"]
    assert {s["name"]: s["values"][0][1:] for s in series} == {"up": [1, None],
                                                              "uq": [None, 1]}


@pytest.mark.parametrize("api", list(WRITES))
async def test_refusals_past_1000_are_described_from_the_first_in_line_order(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd, api: str) -> None:
    # `a` and `b` hold float fields, and the body gives them integers: b's point on line 2,
    # then 1,001 of a's (its chunk starts on line 1, whose point the store takes). 1.6.7
    # names the first refusal in line order, b's; the native store checked a's chunk first
    # and described its first 1,000 refusals, leaving b's out (and named a's conflict); a
    # split sent its native part grouped by measurement, a's lines before b's
    client = await gateway(
        aiohttp_client, tmp_path, influxdb1,
        RouteConfig(database="ordered", measurement="up", targets=("one",)),
        RouteConfig(database="*", targets=("native",)))
    await databases(client, influxdb1, "ordered")
    async with client.session.post(f"{influxdb1.url}/query",
                                   params={"q": "CREATE DATABASE direct"}) as created:
        assert created.status == 200
    typed = b"a v=1.5 1\nb w=1.5 1"
    async with client.session.post(f"{influxdb1.url}/write", params={"db": "direct"},
                                   data=typed) as written:
        assert written.status == 204
    for database in ("ordered", "whole"):
        assert await answer(client, "v1", database, typed) == (204, None)
    lines = ["a u=1 1", "b w=1i 2", *(f"a v={k}i {k + 3}" for k in range(1001)), "up v=1 5"]
    body = "\n".join(lines).encode()
    split = await answer(client, api, "ordered", body)
    whole = await answer(client, api, "whole", body)
    assert split == whole
    conflict = ('field type conflict: input field "w" on measurement "b" is type integer, '
                "already exists as type float")
    if api == "v1":
        async with client.session.post(f"{influxdb1.url}/write", params={"db": "direct"},
                                       data=body) as direct:
            assert (direct.status, await direct.json()) == split
        assert split == (400, {"error": f"partial write: {conflict} dropped=1002"})
    elif api == "v2":
        assert isinstance(split[1], dict)
        assert split[1]["line"] == 2
        described = split[1]["message"].split("\n")
        assert described[0] == f"partial write error (2 written): {conflict}"
        assert len(described) == 1 + 1000 and described[-1] == "... and 2 more rejected lines"
    else:
        assert isinstance(split[1], dict)
        assert [entry["line_number"] for entry in split[1]["data"]] == list(range(2, 102))


DAY30 = 30 * 86400 * 10**9


@pytest.mark.parametrize("later", [pytest.param(7, id="one-shard-group"),
                                   pytest.param(DAY30, id="two-shard-groups")])
@pytest.mark.parametrize("api", list(WRITES))
async def test_points_refused_for_a_time_key_on_several_1x_shards_are_all_counted(
        aiohttp_client: Callable, tmp_path: Path, servers: tuple[Influxd, Influxd], api: str,
        later: int) -> None:
    # Each shard's 1.x refuses its part's points with a `time` tag or field alone; with
    # them in two shard groups (1970's first week and thirty days on) it counts one
    # group's (its PointsWriter answers the first shard's error), so each part's count fell
    # short of its refused points and the answer was one 1.x's (`dropped=1`). Every shard
    # refuses them: all are counted, named as the native store names them for the whole
    # body, and as one 1.6.7 answers when they meet one shard
    database = f"timekeyed_{api}_{later}"
    client = await with_1x(aiohttp_client, tmp_path,
                           {"a": servers[0].url, "b": servers[1].url}, shards(database))
    for server in servers:
        async with client.session.post(f"{server.url}/query", params={
                "q": f"CREATE DATABASE {database}"}) as created:
            assert created.status == 200
    async with client.session.post(f"{servers[0].url}/query", params={
            "q": f"CREATE DATABASE direct_{database}"}) as created:
        assert created.status == 200
    assert (await client.post("/query", data={"q": "CREATE DATABASE whole"})).status == 200
    assert [shard_of(f"m{k}") for k in range(1, 7)] == ["a", "b", "b", "a", "b", "b"]
    body = "\n".join(["m1,time=1 v=1 1", "m2,time=1 v=1 2", f"m3 time=1 {later}",
                      f"m4,time=2 v=1 {later + 1}", "m5 v=1 5", "m6,time=1 v=1 6",
                      "m5 v=x 7"]).encode()
    split = await answer(client, api, database, body)
    whole = await answer(client, api, "whole", body)
    assert split == whole
    if api != "v1":
        return
    refusal = ('partial write: invalid tag key: input tag "time" on measurement "{}" is '
               "invalid dropped={}")
    assert split == (400, {"error": refusal.format("m1", 5)})
    async with client.session.post(f"{servers[0].url}/write", params={
            "db": f"direct_{database}"}, data=body) as direct:
        directly = (direct.status, await direct.json())
    if later == 7:
        assert directly == split
    else:  # one shard group's points: m1, m2 and m6, or m3 and m4 (its first `time` tag)
        assert directly in [(400, {"error": refusal.format(*first)})
                            for first in (("m1", 3), ("m4", 2))]
