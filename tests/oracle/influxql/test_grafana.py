"""Grafana's InfluxQL data source, request for request, against InfluxDB 1.6.7 and the gateway.

Each case is one request exactly as Grafana sends it (grafana_requests.py: `db` and `epoch=ms`
in the URL, `rp` for a non-default policy, `q` in the URL for GET or in a form body for POST,
Basic or `Token` credentials, gzip accepted), with the text its query editor, template
variables and dashboards produce. Both servers hold the oracle dataset; status, the whole
Content-Type header and the body must agree. The last tests send the same requests through a
gateway whose `single` route points at a second 1.6.7, and expect that server's own answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.support.gateway_process import gateway_process
from tests.support.influxd import Influxd, InfluxdMissing, influxd
from tests.support.required import unavailable

from .dataset import BATCHES
from .grafana_requests import LATER, TWO_HOURS, ZOOMED, GrafanaAnswer, GrafanaQuery, send
from .oracle import Servers, difference, query, write
from .servers import server_pair

pytestmark = pytest.mark.slow


def case(text: str, name: str, **options: object) -> object:
    return pytest.param(GrafanaQuery(text, **options), id=name)  # type: ignore[arg-type]


HEALTH = "SHOW measurements"

#: Panels: time series, tables, stats, annotations, as the visual editor or a raw query
#: writes them (the editor's shape: `WHERE (tags) AND $timeFilter GROUP BY time(...), "tag"
#: fill(...) ORDER BY time DESC limit N slimit N tz('...')`).
PANELS = [
    case('SELECT mean("usage_user") FROM "cpu" WHERE ("host" =~ /^$host$/) AND $timeFilter '
         'GROUP BY time($__interval), "host" fill(null)', "ts-mean-by-host-multi-value"),
    case('SELECT mean("usage_user") FROM "cpu" WHERE ("host" =~ /^$host$/) AND $timeFilter '
         'GROUP BY time($__interval), "host" fill(null)', "ts-mean-by-host-post", method="POST"),
    case('SELECT mean("usage_user") FROM "cpu" WHERE $timeFilter GROUP BY time(5m) fill(none)',
         "ts-mean-fill-none"),
    case('SELECT max("usage_system") FROM "cpu" WHERE ("region" =~ /^$region$/) AND '
         '$timeFilter GROUP BY time(10m), "host", "region" fill(previous)',
         "ts-max-two-tags-fill-previous"),
    case('SELECT mean("used") / 1024 FROM "mem" WHERE $timeFilter GROUP BY time(15m), "host" '
         'fill(0)', "ts-math-fill-zero"),
    case('SELECT non_negative_derivative(mean("requests"), 1s) FROM "counters" WHERE '
         '$timeFilter GROUP BY time(5m), "host" fill(null)', "ts-rate-of-counter"),
    case('SELECT mean("used_percent") FROM "disk" WHERE ("path" =~ /^$path$/) AND $timeFilter '
         'GROUP BY time(30m), "path" fill(linear)', "ts-escaped-slash-values-fill-linear"),
    case('SELECT mean("usage_user") AS "user", mean("usage_system") AS "system" FROM "cpu" '
         'WHERE ("host" = \'$host\') AND $timeFilter GROUP BY time($__interval) fill(null)',
         "ts-two-aliased-zoomed", dashboard=ZOOMED),
    case('SELECT mean("usage_user") / $__interval_ms FROM "cpu" WHERE ("host" = \'server02\') '
         'AND $timeFilter GROUP BY time($interval) fill(null)', "ts-interval-ms-math",
         dashboard=ZOOMED),
    case('SELECT count("code") FROM "events" WHERE $timeFilter GROUP BY time(1h), "level" '
         "fill(0) tz('Europe/Paris')", "ts-count-tz"),
    case('SELECT mean("usage_user") FROM "cpu" WHERE $timeFilter GROUP BY time(30m), "host" '
         "fill(null) ORDER BY time DESC limit 3 slimit 2", "ts-desc-limit-slimit"),
    case('SELECT mean("usage_user") FROM "autogen"."cpu" WHERE ("host" = \'server04\') AND '
         '$timeFilter GROUP BY time(20m) fill(null)', "ts-named-policy", policy="autogen"),
    case('SELECT mean("usage_idle") FROM "cpu" WHERE $timeFilter GROUP BY time(20m), * '
         "fill(null)", "ts-group-by-every-tag", auth="basic"),
    case('SELECT percentile("latency", 95) FROM "events" WHERE $timeFilter GROUP BY time(30m) '
         "fill(null)", "ts-percentile", auth="token"),
    case('SELECT moving_average(mean("temp"), 3) FROM "cpu" WHERE ("host" = \'server01\' AND '
         '"cpu" = \'cpu1\') AND $timeFilter GROUP BY time(10m) fill(null)', "ts-moving-average"),
    case('SELECT mean("usage_user") FROM /^cp/ WHERE $timeFilter GROUP BY time(1h) fill(null)',
         "ts-regex-measurement"),
    # An ad-hoc filter, placed right after WHERE as the backend does for raw queries.
    case('SELECT mean("usage_user") FROM "cpu" WHERE "region" = \'us-west\' AND "host" != '
         '\'server02\' AND $timeFilter GROUP BY time(10m), "host" fill(null)', "ts-ad-hoc"),
    case('SELECT mean("latency") FROM "events" WHERE ("level"::tag = \'warn\') AND $timeFilter '
         "GROUP BY time(30m) fill(null)", "ts-tag-suffixed-key"),
    case('SELECT "latency" FROM "events" WHERE ("code" = 500 AND "ok" = false) AND $timeFilter',
         "ts-is-operator-number-and-bool"),
    case('SELECT max("latency") FROM "events" WHERE ("latency" > 10) AND $timeFilter GROUP BY '
         'time(20m), "source" fill(none)', "ts-greater-than-condition"),
    case('SELECT mean("usage_user") FROM "autogen"./^cpu$/ WHERE $timeFilter GROUP BY time(1h) '
         "fill(null)", "ts-regex-measurement-policy", policy="autogen"),
    case('SELECT top("usage_user", "host", 3) FROM "cpu" WHERE $timeFilter', "ts-top-by-tag"),
    case('SELECT derivative(mean("bytes"), 10s) FROM "counters" WHERE ("host" = \'server02\') '
         "AND $timeFilter GROUP BY time(10m) fill(null)", "ts-derivative"),
    case('SELECT cumulative_sum(sum("requests")) FROM "counters" WHERE $timeFilter GROUP BY '
         'time(15m), "host" fill(0)', "ts-cumulative-sum"),
    case('SELECT mean("usage_user") FROM "cpu" WHERE $timeFilter GROUP BY time(1d), "region" '
         "fill(null) tz('America/Chicago')", "ts-day-buckets-tz"),
    case('SELECT mean("usage_user") FROM "cpu" WHERE ("host" =~ /^$host$/) AND $timeFilter '
         'GROUP BY time($__interval), "host" fill(null)', "ts-range-without-data",
         dashboard=LATER),
    # Telegraf dashboards' staples: inverted idle, rates times 8, uptime in days.
    case('SELECT mean("usage_idle") * -1 + 100 FROM "cpu" WHERE ("host" =~ /^$host$/ AND "cpu" '
         '= \'cpu0\') AND $timeFilter GROUP BY time($__interval), "host" fill(null)',
         "ts-inverted-idle", dashboard=ZOOMED),
    case('SELECT non_negative_derivative(max("bytes"), 1s) * 8 FROM "counters" WHERE '
         '$timeFilter GROUP BY time(10m), "host" fill(null)', "ts-rate-times-eight"),
    case('SELECT difference(last("requests")) FROM "counters" WHERE ("host" = \'server01\') '
         "AND $timeFilter GROUP BY time(20m) fill(none)", "ts-difference-of-last"),
    case('SELECT mean("field name") FROM "weird measure" WHERE ("tag key" = \'café\') AND '
         '$timeFilter GROUP BY time(5m), "group" fill(null)', "ts-awkward-names"),
    case('SELECT "latency" FROM "events" WHERE ("message" = \'slow "query"\') AND $timeFilter',
         "table-quoted-string-value"),
    case('SELECT "used" FROM "mem" WHERE $timeFilter GROUP BY "host" ORDER BY time DESC '
         "LIMIT 3", "table-by-tag-desc"),
    case('SELECT count(distinct("level")) FROM "events" WHERE $timeFilter',
         "stat-count-distinct"),
    case('SELECT "usage_user", "usage_system", "host" FROM "cpu" WHERE ("host" = \'server01\' '
         'AND "cpu" = \'cpu0\') AND $timeFilter ORDER BY time DESC limit 20', "table-raw-desc"),
    case('SELECT * FROM "events" WHERE $timeFilter', "table-raw-wildcard", method="POST"),
    case('SELECT "message", "level" FROM "events" WHERE ("level" =~ /^(warn|error)$/) AND '
         "$timeFilter", "annotation-rows"),
    case('SELECT last("usage_user") FROM "cpu" WHERE ("host" = \'$one\') AND $timeFilter',
         "stat-last"),
    case('SELECT last("used") FROM "mem" WHERE $timeFilter GROUP BY "host"',
         "stat-last-by-host"),
    case('SELECT mean("usage_idle") FROM "cpu" WHERE $timeFilter', "stat-mean-lower-bound"),
    case('SELECT count("message") FROM "events" WHERE $timeFilter', "stat-count-strings"),
]

#: The health check, the query editor's metadata queries, template variables.
METADATA = [
    case(HEALTH, "health-check"),
    case(HEALTH, "health-check-post-token", method="POST", auth="token"),
    case("SHOW MEASUREMENTS LIMIT 100", "editor-measurements"),
    case("SHOW MEASUREMENTS WITH MEASUREMENT =~ /(?i)CP/ LIMIT 100",
         "editor-measurements-search"),
    case("SHOW MEASUREMENTS WHERE \"host\" = 'server01' LIMIT 100",
         "editor-measurements-with-tag"),
    case('SHOW RETENTION POLICIES on "iql"', "editor-retention-policies"),
    case('SHOW FIELD KEYS FROM "cpu"', "editor-field-keys"),
    case('SHOW FIELD KEYS FROM "autogen"."events"', "editor-field-keys-policy",
         policy="autogen"),
    case("SHOW FIELD KEYS", "editor-field-keys-all"),
    case('SHOW TAG KEYS FROM "cpu"', "editor-tag-keys"),
    case("SHOW TAG KEYS FROM \"cpu\" WHERE \"host\" = 'server04'", "editor-tag-keys-where"),
    case("SHOW TAG KEYS", "ad-hoc-keys"),
    case('SHOW TAG VALUES FROM "cpu" WITH KEY = "host"', "editor-tag-values"),
    case('SHOW TAG VALUES FROM "cpu" WITH KEY = "cpu" WHERE "host" =~ /^$host$/',
         "editor-tag-values-where-regex"),
    case('SHOW TAG VALUES WITH KEY = "host"', "ad-hoc-values", method="POST"),
    case('SHOW TAG VALUES FROM "cpu" WITH KEY = "host" WHERE "region" =~ /^$region$/',
         "variable-chained-multi-value"),
    case("SHOW TAG VALUES FROM \"cpu\" WITH KEY = \"host\" WHERE \"region\" = '$region' AND "
         "\"cpu\" = 'cpu0'", "variable-chained-two-conditions", dashboard=ZOOMED),
    case('SHOW TAG VALUES WITH KEY = "host" WHERE "region" =~ /^$region$/',
         "variable-all-measurements-chained"),
    case('SHOW MEASUREMENTS WITH MEASUREMENT =~ /$one/', "variable-measurement-regex"),
    case(HEALTH, "health-check-empty-database", database="empty"),
    case('SHOW TAG VALUES FROM "cpu" WITH KEY = "cpu" WHERE "host" =~ /$one/',
         "variable-unanchored-regex"),
    case('SHOW TAG VALUES FROM "system" WITH KEY = "host"', "variable-unknown-measurement"),
    case('SHOW FIELD KEYS FROM "system"', "editor-field-keys-unknown-measurement"),
    case('SHOW TAG VALUES WITH KEY = "host" WHERE "host" =~ /^server0[12]/ LIMIT 3',
         "variable-regex-limit"),
    case('SHOW TAG VALUES FROM "disk" WITH KEY = "path" WHERE "host" = \'server01\'',
         "variable-slash-values"),
    case('SHOW TAG VALUES FROM "weird measure" WITH KEY = "tag key"', "variable-quoted-names"),
    case('SHOW TAG VALUES WITH KEY IN ("host", "region")', "variable-two-keys"),
    case('SHOW TAG VALUES FROM "cpu" WITH KEY = "host" WHERE $timeFilter',
         "variable-with-time-filter"),
]

#: What Grafana shows its users when a query fails.
ERRORS = [
    case('SELECT mean("usage_user") FROM "cpu" WHERE $timeFilter GROUP BY time(',
         "error-parse"),
    case('SELECT mean("usage_user") FROM "cpu" WHERE $timeFilter GROUP BY time(',
         "error-parse-post", method="POST"),
    case('SELECT mean("usage_user") FROM "cpu" WHERE $timeFilter fill(nope)',
         "error-fill-argument"),
    case('SELECT mean("usage_user") FROM "cpu" WHERE $timeFilter GROUP BY time(1h) '
         "tz('Mars/Olympus')", "error-time-zone"),
    case('SELECT mean("usage_user"), "host" FROM "cpu" WHERE $timeFilter',
         "error-mixing-aggregate"),
    case('SELECT mean("message") FROM "events" WHERE $timeFilter', "error-mean-of-strings"),
    case('SELECT mean("usage_user") FROM "cpu" WHERE $timeFilter GROUP BY time(1h)',
         "error-unknown-database", database="nosuchdb"),
    case(HEALTH, "error-health-unknown-database", database="nosuchdb"),
    case(HEALTH, "error-health-no-database", database=""),
    case('SELECT mean("usage_user") FROM "nosuchrp"."cpu" WHERE $timeFilter GROUP BY time(1h)',
         "error-unknown-policy", policy="nosuchrp"),
    case('SHOW FIELD KEYS FROM "nosuchrp"."cpu"', "error-field-keys-unknown-policy",
         policy="nosuchrp"),
    case(HEALTH, "error-health-unknown-policy", policy="nosuchrp"),
]

ALL = PANELS + METADATA + ERRORS


def grafana_difference(expected: GrafanaAnswer, actual: GrafanaAnswer) -> str | None:
    """Status, the Content-Type header as sent, gzip or not (Go inflates it, but a dashboard's
    answers are big), then the body as oracle.py compares it."""
    if expected.answer.status == actual.answer.status:
        if expected.content_type != actual.content_type:
            return f"Content-Type: {expected.content_type!r} != {actual.content_type!r}"
        encodings = [a.answer.headers.get("Content-Encoding") for a in (expected, actual)]
        if encodings[0] != encodings[1]:
            return f"Content-Encoding: {encodings[0]!r} != {encodings[1]!r}"
    return difference(expected.answer, actual.answer)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    for servers in server_pair(Path(tmp_path_factory.mktemp("grafana")), with_dataset=True):
        for base in (servers.influx, servers.gateway):
            assert query(base, 'CREATE DATABASE "empty"', {}, post=True).status == 200
        yield servers


def test_requests_are_grafanas() -> None:
    """The rendering the cases rely on: Grafana's time filter, interval and regex variables,
    and its URL (sorted keys, `+` for spaces) with `q` in the form body for POST."""
    query = GrafanaQuery('SELECT mean("v") FROM "m" WHERE "host" =~ /^$path$/ AND $timeFilter '
                         "GROUP BY time($__interval) fill(null)", method="POST",
                         policy="autogen")
    path, body = query.url_and_body()
    assert path == "/query?db=iql&epoch=ms&rp=autogen"
    assert body == (b"q=SELECT+mean%28%22v%22%29+FROM+%22m%22+WHERE+%22host%22+%3D~+%2F%5E%28"
                    b"%5C%2F%7C%5C%2Fhome%29%24%2F+AND+time+%3E%3D+1704067200456ms+and+time+"
                    b"%3C%3D+1704074400456ms+GROUP+BY+time%2810s%29+fill%28null%29")
    get_path, get_body = replace(query, method="GET", policy="default").url_and_body()
    assert get_body is None and get_path.startswith("/query?db=iql&epoch=ms&q=SELECT+mean")
    assert TWO_HOURS.render("$__interval_ms $__interval $interval") == "10000 10s 10s"


@pytest.mark.parametrize("query", ALL)
def test_same_answer_as_influxdb(servers: Servers, query: GrafanaQuery) -> None:
    found = grafana_difference(send(servers.influx, query), send(servers.gateway, query))
    assert found is None, found


def test_answers_are_grafana_readable(servers: Servers) -> None:
    """Never vacuous: the health check and a panel answer with data on both servers."""
    for base in (servers.influx, servers.gateway):
        health = send(base, GrafanaQuery(HEALTH))
        assert health.answer.status == 200
        names = [row[0] for row in json.loads(health.answer.body)["results"][0]["series"][0]
                 ["values"]]
        assert "cpu" in names and "events" in names
        panel = send(base, PANELS[0].values[0])  # type: ignore[attr-defined]
        series = json.loads(panel.answer.body)["results"][0]["series"]
        assert [s["tags"]["host"] for s in series] == ["server01", "server02"]
        assert series[0]["values"][0][0] == 1704067200000  # epoch=ms, first 10s bucket


@pytest.fixture(scope="module")
def routed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """A second 1.6.7 holding the dataset, and a gateway whose `single` route sends every
    database to it; `influx` is that server, `gateway` the routed gateway."""
    work = Path(tmp_path_factory.mktemp("grafana-routed"))
    try:
        upstream: Influxd = influxd(work / "influxd").start()
    except InfluxdMissing as exc:
        unavailable(str(exc))
    config = work / "routes.toml"
    config.write_text("\n".join([
        "[[upstreams]]", 'name = "old"', 'type = "influxdb1"', f'url = "{upstream.url}"',
        "[[routes]]", 'database = "*"', 'mode = "single"', 'targets = ["old"]', ""]))
    gateway = gateway_process(work / "gw", config).start()
    try:
        for batch in BATCHES:  # through the route: the upstream stores what it is sent
            write(gateway.url, batch)
        yield Servers(upstream.url, gateway.url)
    finally:
        gateway.stop()
        upstream.stop()


@pytest.mark.parametrize("query", ALL)
def test_same_answer_through_single_route(routed: Servers, query: GrafanaQuery) -> None:
    found = grafana_difference(send(routed.influx, query), send(routed.gateway, query))
    assert found is None, found


def test_route_reaches_the_upstream(routed: Servers) -> None:
    """Never vacuous: the points written through the route are the upstream's own."""
    health = send(routed.influx, GrafanaQuery(HEALTH))
    names = [row[0] for row in json.loads(health.answer.body)["results"][0]["series"][0]
             ["values"]]
    assert "cpu" in names and "weird measure" in names
