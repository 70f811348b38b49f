"""The oracle's dataset as the query fuzzer (qgen.py) sees it, and what it draws from.

Measurements with their tags, fields and kinds (dataset.py writes them), the functions by
family, and the intervals, offsets, fills, zones and instants time clauses are made of.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SECOND = 10**9
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
T0 = 1704067200 * SECOND  # 2024-01-01T00:00:00Z, the start of the main window
# Buckets (times series) one statement may ask for: keeps answers small and fast.
MAX_BUCKETS = 3000


@dataclass(frozen=True, slots=True)
class Measurement:
    name: str
    tags: dict[str, tuple[str, ...]]
    fields: dict[str, str]  # name -> float | integer | string | boolean
    series: int
    # Raw rows of different series at one time come back in an order that depends on
    # 1.6.7's storage (README), so raw answers over several such series are never drawn.
    shared_times: bool
    first: int  # offset from T0 of the earliest point (GROUP BY time without a lower bound)


CPU = Measurement("cpu", {"host": ("server01", "server02", "server03", "server04"),
                          "region": ("us-west", "us-east", "eu"), "cpu": ("cpu0", "cpu1")},
                  {"usage_user": "float", "usage_system": "float", "usage_idle": "float",
                   "temp": "float"}, 5, True, -7 * DAY)
MEASUREMENTS = (
    CPU, CPU,
    Measurement("mem", {"host": ("server01", "server02", "server03")},
                {"used": "integer", "free": "integer", "total": "integer", "delta": "integer"},
                3, True, -HOUR),
    Measurement("disk", {"host": ("server01",), "path": ("/", "/var", "/home")},
                {"used_percent": "float", "inodes": "integer"}, 3, True, 0),
    Measurement("events", {"level": ("info", "warn", "error"), "source": ("app", "db")},
                {"latency": "float", "code": "integer", "message": "string", "ok": "boolean"},
                5, False, 0),
    Measurement("counters", {"host": ("server01", "server02")},
                {"requests": "integer", "bytes": "float"}, 2, True, 0),
    Measurement("sparse", {"id": ("x", "y")},
                {"a": "float", "b": "integer", "c": "string", "d": "boolean"}, 2, False, 0),
    Measurement("gauge", {"id": ("a", "b", "c", "d")}, {"v": "float", "w": "integer"},
                4, True, 0),
    Measurement("stock", {"symbol": ("AAA", "BBB")}, {"price": "float", "volume": "integer"},
                2, True, 0),
    Measurement("single", {"id": ("1", "2", "3")}, {"v": "float"}, 3, False, 600 * SECOND),
    Measurement("wave", {"location": ("harbor",)}, {"level": "float"}, 1, False, 0),
)
# Measurements in both databases, named in FROM by each (`"iql".."pair", "iql_db2".."pair"`):
# a transformation of raw points reads each mention whole, one after the other (raw_calls).
TWO_DBS = (
    Measurement("pair", {"host": ("a", "b", "c")}, {"u": "float", "k": "integer"}, 3, True, 0),
    Measurement("twin", {"host": ("a",)}, {"v": "float"}, 1, False, 0),
)
NUMERIC = ("float", "integer")

# Functions by the field kinds they take; `_args` draws their extra arguments.
AGGREGATES = {"count": None, "mean": NUMERIC, "median": NUMERIC, "mode": None,
              "spread": NUMERIC, "stddev": NUMERIC, "sum": NUMERIC, "integral": NUMERIC}
SELECTORS = {"first": None, "last": None, "max": NUMERIC, "min": NUMERIC,
             "percentile": NUMERIC}
# Alone in a statement: they return several rows per bucket.
LONERS = ("top", "bottom", "distinct")
TRANSFORMS = ("derivative", "non_negative_derivative", "difference", "non_negative_difference",
              "cumulative_sum", "moving_average", "elapsed")
TECHNICAL = ("chande_momentum_oscillator", "exponential_moving_average",
             "double_exponential_moving_average", "kaufmans_efficiency_ratio",
             "kaufmans_adaptive_moving_average", "triple_exponential_moving_average",
             "triple_exponential_derivative", "relative_strength_index")
# Math that keeps every value of the dataset finite: 1.6.7 answers NaN and infinities with
# a body that is not JSON, the gateway with null (a deliberate deviation).
MATH = ("abs({})", "ceil({})", "floor({})", "round({})", "sin({})", "cos({})", "atan({})",
        "exp({} / 1000)", "sqrt(abs({}))", "ln(abs({}) + 1)", "log2(abs({}) + 2)",
        "log10(abs({}) + 1)", "log(abs({}) + 1, 3)", "pow({}, 2)", "atan2({}, 3)",
        "asin({} / 100000)", "acos({} / 100000)", "tan({} / 1000)")
UNITS = ("1s", "1m", "10s", "1h", "7m", "1u", "1d")
INTERVALS = ((1, "1m"), (5, "5m"), (7, "7m"), (13, "13m"), (30, "30m"), (60, "1h"),
             (90, "90m"), (1.5, "90s"), (0.75, "45s"), (17, "17m"), (120, "2h"),
             (1440, "1d"), (10080, "1w"), (4.5, "4m30s"))
OFFSETS = ("1m", "-5m", "30s", "3m", "7m", "-1h", "15m", "2h")
FILLS = ("fill(null)", "fill(none)", "fill(previous)", "fill(linear)", "fill(0)", "fill(-1)",
         "fill(100)", "fill(2.5)")
ZONES = ("America/Chicago", "Asia/Kolkata", "UTC", "Australia/Sydney", "Europe/Berlin")
EPOCHS = (None, None, None, "ns", "ms", "s", "m", "u", "h")
# Instants (offset from T0) the time bounds are drawn from: inside the main window, at its
# ends, before and after all data, and straddling it.
INSTANTS = (0, 0, 7 * MINUTE + 30 * SECOND, 13 * MINUTE, 30 * MINUTE, HOUR, 77 * MINUTE,
            2 * HOUR, 2 * HOUR, -30 * MINUTE, -HOUR - 7 * MINUTE, 3 * HOUR, -8 * DAY,
            -7 * DAY - 30 * MINUTE, 9 * DAY + HOUR, 30 * DAY, 25 * HOUR, 45 * SECOND)


@dataclass(slots=True)
class Bounds:
    text: str
    lower: int | None  # ns since the epoch, None when open (or relative to now())
    upper: int | None
    relative: bool = False  # the lower bound is `now() - ...`


def rfc3339(ns: int) -> str:
    stamp = dt.datetime.fromtimestamp(ns // SECOND, dt.UTC)
    text = stamp.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = ns % SECOND
    return text + (f".{fraction:09d}".rstrip("0") if fraction else "") + "Z"


@dataclass(frozen=True, slots=True)
class Case:
    """One drawn statement and its request parameters."""

    statement: str
    params: dict[str, str]
