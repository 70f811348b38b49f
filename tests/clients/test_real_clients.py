"""The official client libraries and the influx CLI against a running gateway subprocess."""

from __future__ import annotations

import json
import subprocess
import urllib.parse
import urllib.request

import pytest

from tests.support.gateway_process import GatewayProcess

pytestmark = pytest.mark.slow


def sql(gateway: GatewayProcess, database: str, query: str) -> list[dict[str, object]]:
    url = f"{gateway.url}/api/v3/query_sql?" + urllib.parse.urlencode({"db": database,
                                                                        "q": query})
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def test_influxdb_client_v2_sync_write(gateway: GatewayProcess) -> None:
    from influxdb_client import InfluxDBClient, Point, WritePrecision
    from influxdb_client.client.write_api import SYNCHRONOUS

    with InfluxDBClient(url=gateway.url, token="any-token", org="my-org") as client:
        assert client.ping() is True
        writer = client.write_api(write_options=SYNCHRONOUS)
        writer.write(bucket="v2db", record=[
            Point("weather").tag("city", "Oslo").field("temp", 4.5).field("rain", True)
            .time(1_700_000_000, WritePrecision.S),
            Point("weather").tag("city", "Rome").field("temp", 17.0).field("rain", False)
            .time(1_700_000_000, WritePrecision.S),
        ], write_precision=WritePrecision.S)
        writer.write(bucket="v2db/autogen", record="weather,city=Oslo temp=5.5 1700000060000",
                     write_precision=WritePrecision.MS)
    with InfluxDBClient(url=gateway.url, token="any-token", org="my-org",
                        enable_gzip=True) as client:
        client.write_api(write_options=SYNCHRONOUS).write(
            bucket="v2db", record="weather,city=Rome temp=18 1700000060")  # ns precision
    assert sql(gateway, "v2db", "SELECT city, time, temp, rain FROM weather "
                                "ORDER BY time, city") == [
        {"city": "Rome", "time": "1970-01-01T00:00:01.70000006", "temp": 18.0},
        {"city": "Oslo", "time": "2023-11-14T22:13:20", "temp": 4.5, "rain": True},
        {"city": "Rome", "time": "2023-11-14T22:13:20", "temp": 17.0, "rain": False},
        {"city": "Oslo", "time": "2023-11-14T22:14:20", "temp": 5.5},
    ]


def test_influxdb_client_v2_sees_partial_write_errors(gateway: GatewayProcess) -> None:
    from influxdb_client import InfluxDBClient
    from influxdb_client.client.write_api import SYNCHRONOUS
    from influxdb_client.rest import ApiException

    with InfluxDBClient(url=gateway.url, token="t", org="o") as client:
        writer = client.write_api(write_options=SYNCHRONOUS)
        with pytest.raises(ApiException) as info:
            writer.write(bucket="bad", record="m v=1 1\nm v=oops 2")
    assert info.value.status == 400
    body = json.loads(info.value.body)
    assert body["code"] == "invalid"
    assert body["line"] == 2
    assert sql(gateway, "bad", "SELECT v FROM m") == [{"v": 1.0}]


@pytest.mark.parametrize("use_v2_api", [True, False], ids=["v2-path", "v3-write_lp"])
def test_influxdb3_python_write(gateway: GatewayProcess, use_v2_api: bool) -> None:
    from influxdb_client_3 import InfluxDBClient3, Point, WriteOptions, write_client_options
    from influxdb_client_3.write_client.client.write_api import WriteType

    options = WriteOptions(write_type=WriteType.synchronous, use_v2_api=use_v2_api)
    with InfluxDBClient3(host=gateway.url, token="any", database="v3db",
                         write_client_options=write_client_options(write_options=options)
                         ) as client:
        assert client.get_server_version() == "1.8.10"
        client.write(record=Point("home").tag("room", "kitchen").field("temp", 21.5)
                     .field("hum", 40).time(1_700_000_000_000_000_000))
        client.write(record="home,room=living temp=20.0,hum=38i 1700000000000000000")
    assert sql(gateway, "v3db", "SELECT room, temp, hum FROM home ORDER BY room") == [
        {"room": "kitchen", "temp": 21.5, "hum": 40},
        {"room": "living", "temp": 20.0, "hum": 38},
    ]


def test_influxdb_v1_client(gateway: GatewayProcess) -> None:
    from influxdb import InfluxDBClient

    client = InfluxDBClient(host="127.0.0.1", port=gateway.port, database="v1db")
    assert client.ping() == "1.8.10"
    client.create_database("v1db")
    assert client.write_points([
        {"measurement": "py", "tags": {"h": "x"}, "time": 1_700_000_000,
         "fields": {"b": True, "n": 3, "s": "str", "v": 1.5}},
        {"measurement": "py", "tags": {"h": "y"}, "time": 1_700_000_001,
         "fields": {"b": False, "n": 4, "s": "two words", "v": 2.5}},
    ], time_precision="s")
    assert client.write_points(["py,h=z v=3.5,n=5i 1700000002"], protocol="line",
                               time_precision="s")
    assert {"name": "v1db"} in client.get_list_database()
    # query() asks for MessagePack; times come back through its extension-type hook
    points = list(client.query("SELECT v, n FROM py WHERE h = 'y'").get_points())
    assert points == [{"time": "2023-11-14T22:13:21Z", "v": 2.5, "n": 4}]
    grouped = client.query("SELECT max(v) FROM py GROUP BY h", epoch="s")
    assert list(grouped.get_points(tags={"h": "z"})) == [{"time": 1_700_000_002, "max": 3.5}]
    client.close()
    assert sql(gateway, "v1db", "SELECT h, time, b, n, s, v FROM py ORDER BY h") == [
        {"h": "x", "time": "2023-11-14T22:13:20", "b": True, "n": 3, "s": "str", "v": 1.5},
        {"h": "y", "time": "2023-11-14T22:13:21", "b": False, "n": 4, "s": "two words",
         "v": 2.5},
        {"h": "z", "time": "2023-11-14T22:13:22", "n": 5, "v": 3.5},
    ]


def test_influxdb_v1_client_gzip(gateway: GatewayProcess) -> None:
    from influxdb import InfluxDBClient

    client = InfluxDBClient(host="127.0.0.1", port=gateway.port, database="gz", gzip=True)
    assert client.ping() == "1.8.10"  # a GET with Content-Encoding: gzip and no body
    assert client.write_points(["m v=1 1", "m v=2 2"], protocol="line")
    assert len(sql(gateway, "gz", "SELECT * FROM m")) == 2


def test_influx_cli(gateway: GatewayProcess) -> None:
    def influx(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["influx", "-host", "127.0.0.1", "-port", str(gateway.port),
                               *args], capture_output=True, text=True, timeout=30)

    created = influx("-execute", "CREATE DATABASE clidb")
    assert created.returncode == 0, created.stderr
    shown = influx("-execute", "SHOW DATABASES", "-format", "csv")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == ["name,name", "databases,clidb"]


def test_influx_cli_select_and_show(gateway: GatewayProcess) -> None:
    def influx(*args: str) -> str:
        done = subprocess.run(["influx", "-host", "127.0.0.1", "-port", str(gateway.port),
                               "-database", "clisel", "-format", "csv", *args],
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        return done.stdout

    influx("-execute", "CREATE DATABASE clisel")
    body = b"cpu,host=a v=1.5 1700000000000000000\ncpu,host=b v=2.5 1700000060000000000\n"
    request = urllib.request.Request(f"{gateway.url}/write?db=clisel", data=body)
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204
    assert influx("-execute", "SELECT v, host FROM cpu").splitlines() == [
        "name,time,v,host", "cpu,1700000000000000000,1.5,a", "cpu,1700000060000000000,2.5,b"]
    assert influx("-execute", "SELECT mean(v) FROM cpu GROUP BY host",
                  "-precision", "s").splitlines() == [
        "name,tags,time,mean", "cpu,host=a,0,1.5",  # the CLI repeats the header per series
        "name,tags,time,mean", "cpu,host=b,0,2.5"]
    assert influx("-execute", "SHOW TAG VALUES WITH KEY = host").splitlines() == [
        "name,key,value", "cpu,host,a", "cpu,host,b"]
    assert influx("-execute", "SHOW FIELD KEYS").splitlines() == [
        "name,fieldKey,fieldType", "cpu,v,float"]
