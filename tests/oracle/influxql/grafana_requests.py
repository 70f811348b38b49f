"""Requests as Grafana's InfluxQL data source sends them (grafana/grafana pkg/tsdb/influxdb).

`influxql.createRequest` asks `{url}/query` with `db` and `epoch=ms` always, and `rp` when the
query names a policy other than "default". With the data source's HTTP method set to GET, `q`
joins them in the URL; with POST, `q` is the only field of a form body and `db`, `epoch`, `rp`
stay in the URL. Go's `url.Values.Encode` sorts the keys and writes spaces as `+`. Go's HTTP
transport adds `Accept-Encoding: gzip` and inflates a gzip answer itself. Credentials are
Basic auth, or a custom header such as `Authorization: Token <token>` (InfluxDB 2 setups).

`Dashboard.render` substitutes what `models.Query.Build` and the frontend's template service
substitute before a request leaves Grafana: `$timeFilter` as `time >= <from>ms and time <=
<to>ms`, `$__interval`/`$interval`, `$__interval_ms`, and variables, multi-value ones as a
regex alternation of escaped values.
"""

from __future__ import annotations

import base64
import gzip
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

from .dataset import DATABASE, T0
from .oracle import Answer, request

USER_AGENT = "Grafana/11.3.0"
GO_ESCAPED = re.compile(r"([\\^$*+?.()|{}\[\]/])")


def regex_escape(value: str) -> str:
    """Grafana's `escapeRegex`: every regex metacharacter and `/` gets a backslash."""
    return GO_ESCAPED.sub(r"\\\1", value)


def regex_variable(values: list[str]) -> str:
    """A variable interpolated in a regex (`=~ /^$host$/`): one escaped value alone, several
    as `(a|b)`, as Grafana's template service formats them."""
    escaped = [regex_escape(value) for value in values]
    return escaped[0] if len(escaped) == 1 else "(" + "|".join(escaped) + ")"


@dataclass(frozen=True, slots=True)
class Dashboard:
    """A dashboard's time range (epoch milliseconds), `$__interval` and variables."""

    start_ms: int
    end_ms: int
    interval: str = "1m"
    interval_ms: int = 60_000
    variables: Mapping[str, list[str]] = field(default_factory=dict)

    def render(self, text: str) -> str:
        """The query text as it leaves Grafana, in `Build`'s order of replacement (so
        `$__interval_ms` is replaced before `$__interval` can eat its prefix)."""
        text = text.replace("$timeFilter",
                            f"time >= {self.start_ms}ms and time <= {self.end_ms}ms")
        text = text.replace("$interval", self.interval)
        text = text.replace("$__interval_ms", str(self.interval_ms))
        text = text.replace("$__interval", self.interval)
        for name in sorted(self.variables, key=len, reverse=True):
            text = text.replace(f"/^${name}$/", f"/^{regex_variable(self.variables[name])}$/")
            text = text.replace(f"${name}", self.variables[name][0])
        return text


#: "Last 2 hours" opened at 2024-01-01T02:00:00.456Z: Grafana's bounds keep milliseconds.
TWO_HOURS = Dashboard(T0 * 1000 + 456, (T0 + 7200) * 1000 + 456, "10s", 10_000,
                      {"host": ["server01", "server02"], "region": ["us-west", "eu"],
                       "path": ["/", "/home"], "one": ["server03"]})
#: A zoomed-in panel: 00:10 to 00:40 exactly, `$__interval` of 1m.
ZOOMED = Dashboard((T0 + 600) * 1000, (T0 + 2400) * 1000, "1m", 60_000,
                   {"host": ["server01"], "region": ["us-west", "us-east"]})

#: A range a year later, where nothing is stored (a dashboard opened on a quiet source).
LATER = Dashboard((T0 + 366 * 86400) * 1000, (T0 + 366 * 86400 + 3600) * 1000, "1m", 60_000,
                  {"host": ["server01", "server02"]})


@dataclass(frozen=True, slots=True)
class GrafanaQuery:
    """One query as the data source sends it: the text before rendering, the data source's
    HTTP method, database, the query's retention policy and how it authenticates."""

    text: str
    method: str = "GET"
    database: str = DATABASE
    policy: str = "default"
    auth: str = ""  # "", "basic" or "token"
    dashboard: Dashboard = TWO_HOURS

    def url_and_body(self) -> tuple[str, bytes | None]:
        """The path with its query string, and the form body (POST only)."""
        params = {"db": self.database, "epoch": "ms"}
        if self.policy not in ("", "default"):
            params["rp"] = self.policy
        statement = self.dashboard.render(self.text)
        body = None
        if self.method == "GET":
            params["q"] = statement
        else:
            body = urllib.parse.urlencode({"q": statement}).encode()
        return f"/query?{urllib.parse.urlencode(sorted(params.items()))}", body

    def headers(self) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
        if self.method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.auth == "basic":
            token = base64.b64encode(b"grafana:grafana-password").decode()
            headers["Authorization"] = f"Basic {token}"
        elif self.auth == "token":
            headers["Authorization"] = "Token grafana-token"
        return headers


@dataclass(frozen=True, slots=True)
class GrafanaAnswer:
    """An answer as Grafana reads it: status, the whole Content-Type header, inflated body."""

    answer: Answer
    content_type: str


def send(base: str, query: GrafanaQuery) -> GrafanaAnswer:
    path, body = query.url_and_body()
    answer = request(f"{base}{path}", data=body, headers=query.headers())
    data = answer.body
    if answer.headers.get("Content-Encoding", "").lower() == "gzip":
        data = gzip.decompress(data)
    return GrafanaAnswer(Answer(answer.status, answer.media_type, data, answer.headers),
                         answer.headers.get("Content-Type", ""))
