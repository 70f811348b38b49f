"""A small grammar of valid and near-valid line protocol, drawn from a seeded random source.

Each piece of a line is drawn from two pools: tokens that are valid and tokens that are a
near miss (an empty key, a bad number, a spelling of a boolean that is not one); a near miss
is drawn now and then, so most lines store and some do not. A case is a few batches, each a
body and a precision, written in order to one fresh database, so types can clash inside a
body and across bodies; now and then an agent's batch follows (one shape over many lines,
as Telegraf writes them), and a Telegraf flush (many inputs' shapes interleaved, one point
spread over several lines, sent gzipped now and then, and again as a retry), and a client
library's points (names escaped by influxdb-python's or influxdb-client's rules), and points
that span lines (strings holding newlines, CRLF and lines that begin with `#`; escaped
newlines in names), and a wide batch (hundreds of fields of one measurement).
Constructs the gateway answers differently on purpose (README: deliberate deviations) are
left out: unsigned values that parse, CR before a newline (but inside a string: where a quote
before it leaves it outside one, lpexplain.CRLF), text after a closing quote, a tag and a
field of one name, a backslash before an escaped separator in a measurement, unknown
precisions.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

# The chance that a piece is drawn from its near-miss pool (LPFUZZ_NEAR_MISS to explore).
NEAR_MISS = float(os.environ.get("LPFUZZ_NEAR_MISS", "0.04"))


@dataclass(frozen=True, slots=True)
class Pool:
    valid: tuple[str, ...]
    near: tuple[str, ...] = ()

    def draw(self, rng: random.Random) -> str:
        if self.near and rng.random() < NEAR_MISS:
            return rng.choice(self.near)
        return rng.choice(self.valid)


MEASUREMENTS = Pool(("cpu", "cpu", "mem", "disk\\ io", "a\\,b", "w=x", "tab\\=le", "ün"),
                    ("", ",", "#x"))
TAG_KEYS = Pool(("host", "host", "region", "h\\ k", "k\\=y", "k\\,z", "dc"),
                ("time", "", "a=b"))
TAG_VALUES = Pool(("a", "b", "a", "x\\ y", "p\\,q", "e\\=f", "=lead", "1", "ü", "back\\slash"),
                  ("", "mid=dle", "a b"))
FIELD_KEYS = Pool(("v", "v", "w", "s", "b", "n", "f\\ k", "f\\,k", "f\\=k"),
                  ("time", "", "a b"))
FLOATS = Pool(("1", "-1", "1.5", "-0.0", "0", "1e3", "1E-3", "-1.5e+10", ".5", "1.", "1e21",
               "123456789.123456789", "1e-300", "-.5", "00.1", "4.9e-324"),
              ("2.5e308", "NaN", "+1", "1.5.5", "-", "1e", "0x10", "inf", "1_0", "1ee2"))
INTEGERS = Pool(("1i", "-1i", "0i", "-0i", "007i", "9223372036854775807i",
                 "-9223372036854775808i"),
                ("9223372036854775808i", "-9223372036854775809i", "1.5i", "i", "1I", "+1i",
                 "1e3i", "99999999999999999999i"))
# a valid `5u` is a deliberate deviation (1.6.7 has no unsigned type)
UNSIGNED = Pool(("1i",), ("-1u", "1.5u", "u", "-0u"))
BOOLEANS = Pool(("t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE"),
                ("tRUE", "yes", "truE", "FALSe", "tr", "fal"))
STRINGS = Pool(('"hi"', '""', '"a,b c=d"', '"q\\"uote"', '"back\\\\slash"', '"trail\\\\"',
                '"ü"', '"lone\\x"', '"multi\nline"', '"tab\there"'),
               ('"open', "'single'"))
VALUES = (FLOATS, FLOATS, INTEGERS, UNSIGNED, BOOLEANS, STRINGS, STRINGS)
TIMESTAMPS = Pool(("", "", "", "0", "1", "-1", "12", "1500000000", "1500000000000",
                   "1500000000000000", "1500000000000000000", "-1500000000000000000", "0001"),
                  ("9223372036854775807", "9223372036854775806", "-9223372036854775808",
                   "-9223372036854775806", "-9223372036854775807", "9223372036854775808",
                   "1.5", "1e9", "12a", "1500000000000000000000", "+1", "-"))
PRECISIONS = ("", "n", "ns", "u", "ms", "s", "m", "h")
SPACES = Pool((" ", " ", " ", "  "), ("\t", " \t"))


@dataclass(frozen=True, slots=True)
class Batch:
    body: bytes
    precision: str
    gzip: bool = False  # sent with Content-Encoding: gzip, as Telegraf sends by default


def line(rng: random.Random, fields: dict[str, str]) -> str:
    """One line; `fields` remembers a value per key so that most lines of a case agree on a
    field's type and some disagree."""
    out = MEASUREMENTS.draw(rng)
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        out += f",{TAG_KEYS.draw(rng)}={TAG_VALUES.draw(rng)}"
    if rng.random() < NEAR_MISS / 2:
        out += ","  # trailing comma after the tags
    count = rng.choice([1, 1, 1, 2, 3]) if rng.random() > NEAR_MISS else 0
    parts = []
    for _ in range(count):
        key = FIELD_KEYS.draw(rng)
        if key not in fields or rng.random() < 0.1:
            fields[key] = rng.choice(VALUES).draw(rng)
        parts.append(f"{key}={fields[key]}")
    if parts or rng.random() < 0.5:
        out += SPACES.draw(rng) + ",".join(parts)
    if parts and rng.random() < NEAR_MISS / 2:
        out += rng.choice([",", ",x", "="])
    stamp = TIMESTAMPS.draw(rng)
    if stamp:
        out += _after(out, SPACES.draw(rng)) + stamp
    if rng.random() < NEAR_MISS / 2:
        out += _after(out, rng.choice([" ", "  ", " 2", "\t"]))
    if rng.random() < NEAR_MISS / 2:
        out = rng.choice([" ", "\t", "# "]) + out
    return out


def _after(out: str, blank: str) -> str:
    """`blank` to follow `out`, but never a tab right after a closing quote (text after a
    string: a deliberate deviation)."""
    return " " + blank if out.endswith('"') and blank.startswith("\t") else blank


def batch(rng: random.Random, fields: dict[str, str]) -> Batch:
    lines = [line(rng, fields) for _ in range(rng.choice([1, 1, 2, 3, 4, 6]))]
    if rng.random() < 0.1:
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(["", "# comment", " "]))
    body = "\n".join(lines) + rng.choice(["", "", "\n"])
    return Batch(body.encode(), rng.choice(PRECISIONS))


# What agents such as Telegraf send: one shape over many lines (the parser's vectorised
# path), sorted tags, many fields, a timestamp on every line, names in any script, and
# Telegraf's escapes (`\ `, `\,`, `\=`, and `\n`, `\t` written out; a backslash is kept).
AGENT_MEASUREMENTS = ("cpu", "mem", "disk", "温度", "système", "net_io")
AGENT_TAGS = {"host": ("server01", "server02", "server\\ 03"), "cpu": ("cpu0", "cpu-total"),
              "path": ("C:\\Windows", "/var/lib", "a\\,b", "x\\=y", "line\\nbreak",
                       "tab\\tx"),
              "région": ("eu", "ü"), "名前": ("値", "a\\ b")}
AGENT_FIELDS = ("usage_user", "usage_system", "free", "used_percent", "tempé", "🌡", "uptime",
                "status", "ok", "f\\ k", "µs")
AGENT_VALUES = (("12.5", "0", "99.99", "-0.5", "1000000000000000000000", "0.000001"),
                ("42i", "-7i", "0i", "9223372036854775807i"), ("true", "false"),
                ('"running"', '"say \\"hi\\""', '"C:\\\\temp"', '""', '"two\nlines"'))
AGENT_UNITS = {"": 10**9, "n": 10**9, "ns": 10**9, "u": 10**6, "ms": 10**3, "s": 1}


def agent_batch(rng: random.Random, fields: dict[str, str]) -> Batch:
    """A batch as an agent writes one, now and then with a near miss or an odd line."""
    precision = rng.choice(tuple(AGENT_UNITS))
    measurement = rng.choice(AGENT_MEASUREMENTS)
    tags = sorted(rng.sample(sorted(AGENT_TAGS), rng.choice([0, 1, 2, 3])))
    keys = rng.sample(AGENT_FIELDS, rng.choice([1, 2, 3, 5, 11]))
    for key in keys:
        fields.setdefault(key, rng.choice(rng.choice(AGENT_VALUES)))
    start = rng.choice([1500000000, 1600000000, 0, -1000])
    lines = []
    for i in range(rng.choice([2, 5, 20, 60])):
        line = measurement + "".join(f",{k}={rng.choice(AGENT_TAGS[k])}" for k in tags)
        values = {key: fields[key] for key in keys}
        if rng.random() < NEAR_MISS:  # one value of another type, or not a value at all
            key = rng.choice(keys)
            values[key] = rng.choice(rng.choice(VALUES).near or ("x",))
        line += " " + ",".join(f"{k}={v}" for k, v in values.items())
        line += f" {(start + 10 * i) * AGENT_UNITS[precision]}"
        lines.append(line + rng.choice(["", "", "", "", " "]))  # some end in a space
    if rng.random() < 0.2:
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(["", "# agent comment"]))
    if rng.random() < 0.1:
        lines.insert(rng.randrange(len(lines) + 1), long_key_line(rng, measurement))
    return Batch(("\n".join(lines) + "\n").encode(), precision)


def long_key_line(rng: random.Random, measurement: str) -> str:
    """A line whose series key with its field key is about 1.x's limit (65,535 bytes)."""
    room = 65535 - len(f"{measurement},t=".encode()) - 4 - 1
    value = "x" * (room + rng.choice([-1, 0, 1, 2]))
    return f"{measurement},t={value} v=1 1"


# A Telegraf flush: every input's metrics of each interval, one interval after another, all
# at the interval's time. Several inputs write one measurement and tag set at one time with
# different fields (system, swap), which the store must merge into one point; per-device
# inputs give one shape many series. An input: measurement, its tags with their values, and
# its metrics' fields, each with the values it may take.
FLUSH_INPUTS = (
    ("cpu", {"cpu": ("cpu0", "cpu1", "cpu-total")},
     ({"usage_user": ("1.5", "0", "99.9"), "usage_idle": ("97.2", "100")},)),
    ("system", {}, ({"load1": ("0.5", "1.25"), "n_cpus": ("4i",)}, {"uptime": ("120i", "180i")},
                    {"uptime_format": ('" 0:02"', '"1 day,  0:03"')})),
    ("swap", {}, ({"in": ("0i",), "out": ("0i", "4096i")}, {"free": ("1024i",),
                                                             "used_percent": ("0", "12.5")})),
    ("mem", {}, ({"available": ("123456i", "99i"), "used_percent": ("42.1", "7")},)),
    ("disk", {"device": ("sda1", "nvme0n1p2"), "fstype": ("ext4",), "mode": ("rw",),
              "path": ("/", "/var\\ lib", "C:\\\\")},
     ({"free": ("5i", "6i"), "inodes_used": ("10i",), "used_percent": ("55.5", "55")},)),
    ("diskio", {"name": ("sda", "dm-0")}, ({"reads": ("1i", "2i"), "io_time": ("40i",)},)),
    ("net", {"interface": ("eth0", "lo", "all")},
     ({"bytes_recv": ("100i", "200i"), "err_in": ("0i",)}, {"tcp_established": ("3i",)})),
    ("processes", {}, ({"running": ("1i", "2i"), "total": ("200i",), "zombies": ("0i",)},)),
    ("kernel", {}, ({"boot_time": ("1500000000i",), "context_switches": ("9i", "10i")},)),
    ("temp", {"sensor": ("coretemp_core0", "acpitz\\ virtual")},
     ({"temp": ("45", "46.5", "44")},)),
    ("docker_container_status", {"container_name": ("web", "db"), "engine_host": ("h\\=1",)},
     ({"exitcode": ("0i",), "oomkilled": ("false", "true"), "started_at": ("1i",)},)),
    ("internal_write", {"output": ("influxdb",)},
     ({"buffer_size": ("0i", "12i"), "errors": ("0i",), "write_time_ns": ("1500i",)},)),
)


def flush_batch(rng: random.Random) -> Batch:
    """Telegraf's flush of several inputs over a few intervals, now and then gzipped."""
    precision = rng.choice(tuple(AGENT_UNITS))
    inputs = rng.sample(FLUSH_INPUTS, rng.choice([2, 4, 9, 12]))
    host = rng.choice(("server01", "server\\ 02"))
    start, interval = rng.choice([1500000000, 1600000000, 0]), rng.choice([1, 10, 604800])
    lines = []
    for step in range(rng.choice([1, 2, 3, 5])):
        stamp = (start + interval * step) * AGENT_UNITS[precision]
        for measurement, tags, metrics in inputs:
            devices = [{k: rng.choice(v) for k, v in tags.items()}
                       for _ in range(rng.choice([1, 1, 2]))]
            for device in devices:
                key = measurement + "".join(
                    f",{k}={v}" for k, v in sorted({**device, "host": host}.items()))
                for fields in metrics:
                    values = {k: rng.choice(v) for k, v in fields.items()}
                    odd = rng.random()
                    if odd < NEAR_MISS / 40:  # every number of the line as the other type
                        values = {k: _flip(v) for k, v in values.items()}
                    elif odd < NEAR_MISS / 20:  # a gauge given as the other number type
                        k = rng.choice(sorted(values))
                        values[k] = _flip(values[k])
                    text = ",".join(f"{k}={v}" for k, v in values.items())
                    lines.append(f"{key} {text} {stamp}")
    return Batch(("\n".join(lines) + "\n").encode(), precision, gzip=rng.random() < 0.5)


def _flip(value: str) -> str:
    """An integer as a float, a number as an integer; other values as they are."""
    if value.endswith("i"):
        return value[:-1]
    try:
        return f"{int(float(value))}i"
    except ValueError:
        return value


# Points that 1.x's line splitter reads across lines: a string value holding newlines (CRLF
# too) that take lines beginning with `#` (inside the point, not comments) or a whole point's
# text, and names with an escaped newline; written beside ordinary lines and comments.
SPANNING_STRINGS = Pool(('"a\n#b"', '"\n# c v=1 1\n"', '"x\r\ny"', '"\r\n"',
                         '"\ncpu v=1 5\n"', '"#\n #\n"', '"q\\"\n#"', '"tab\t\n\t"'),
                        ('"\n#open', '"a\n#"b'))
SPANNING_TAG_VALUES = ("a\\\nb", "line\\\n#x", "x\\\n y")
SPANNING_FIELD_KEYS = ("s", "u", "f\\\nk", "#k", "s")


def spanning_batch(rng: random.Random, fields: dict[str, str]) -> Batch:
    """Lines of points that span lines, ordinary lines and comments between them."""
    lines = []
    for i in range(rng.choice([1, 2, 4, 8])):
        kind = rng.random()
        if kind < 0.15:
            lines.append(rng.choice(["# comment", ' # s="a', "", f"ok v=1 {i}"]))
            continue
        out = rng.choice(["cpu", "mem", "tab\\=le"])
        if kind < 0.4:
            out += f",t={rng.choice(SPANNING_TAG_VALUES)}"
        parts = [f"{rng.choice(SPANNING_FIELD_KEYS)}={SPANNING_STRINGS.draw(rng)}"
                 for _ in range(rng.choice([1, 1, 2]))]
        if rng.random() < 0.3 and fields:
            key = rng.choice(sorted(fields))
            parts.append(f"{key}={fields[key]}")
        out += " " + ",".join(parts)
        stamp = TIMESTAMPS.draw(rng)
        lines.append(out + (f" {stamp}" if stamp else ""))
    return Batch("\n".join(lines).encode(), rng.choice(PRECISIONS))


# One measurement written with many fields: each line names some of a set of keys wider
# than the parser puts in one chunk (MAX_CHUNK_COLUMNS), so points of one body are stored
# from several chunks, a few values of another type among them. Fewer keys than the
# gateway's column limit (README), none that differ only in case (README).
WIDE_VALUES = (("1", "-2.5", "1e3"), ("1i", "-7i"), ("t", "false"), ('"s"', '""'))
WIDE_UNITS = {"": 10**9, "s": 1, "ms": 10**3}


def wide_batch(rng: random.Random) -> Batch:
    keys = [f"f{i}" for i in range(rng.choice([20, 300, 400]))]
    types = {key: rng.choice(WIDE_VALUES) for key in keys}
    measurement = rng.choice(["wide", "cpu"])
    # one shard group (1.6.7 keeps a type per field per group: README), at times agents use
    precision = rng.choice(["", "s", "ms"])
    start = 1500000000 * WIDE_UNITS[precision]
    lines = []
    for i in range(rng.choice([1, 3, 10])):
        picked = rng.sample(keys, rng.choice([1, 5, len(keys) // 2, len(keys)]))
        odd = rng.choice(picked) if rng.random() < NEAR_MISS else None  # of another type
        values = [f"{key}={rng.choice(rng.choice(WIDE_VALUES) if key == odd else types[key])}"
                  for key in picked]
        tag = rng.choice(["", ",h=a", ",h=b"])
        lines.append(f"{measurement}{tag} {','.join(values)} {start + rng.choice([0, i])}")
    return Batch("\n".join(lines).encode(), precision)


# What the client libraries send: points built from Python values, each name escaped by the
# library's own rules. influxdb-python doubles every backslash in a name and writes a newline
# as `\n`, a string's newline too, and a space after a tag value ending in a backslash;
# influxdb-client escapes separators, newlines, tabs and CR in names (`=` not in a
# measurement), and in strings only `"` and the backslash. Raw names leave out what the
# README lists as deliberate: a backslash before a separator or at the end of a
# measurement or field key, and a tag and a field of one name.
CLIENT_MEASUREMENTS = ("cpu", "win perf", "a,b", "C:\\drive", "x=y", "tab\tm", "nl\nm", "ü")
CLIENT_TAGS = {"host": ("server 01", "a,b", "k=v", "ü", ""),
               "path": ("C:\\Windows\\System32", "x\\", "line\nbreak", "tab\tx", 'q"t',
                        "\\\\srv\\share", "\\ lead"),
               "the key": ("v", "w"), "k,=": ("1", "2")}
CLIENT_FIELDS = ("value", "used percent", "a,b", "k=v", "C:\\f", "nl\nk", "µs", "tab\tk")
CLIENT_VALUES = (1.5, 0.1 + 0.2, 1e-05, 1e300, -0.0, 3.0, 42, -7, 0, True, False, "text",
                 'say "hi"', "C:\\temp\\", "two\nlines", "", "tab\tx", "\\")
CLIENT_UNITS = {"": 10**9, "n": 10**9, "u": 10**6, "ms": 10**3, "s": 1}


def _python_name(name: str, measurement: bool = False) -> str:
    """A name as influxdb-python writes it (a measurement's `=` too)."""
    out = name.replace("\\", "\\\\").replace(" ", "\\ ").replace(",", "\\,")
    return out.replace("=", "\\=").replace("\n", "\\n")


def _v2_name(name: str, measurement: bool = False) -> str:
    """A name as influxdb-client writes it."""
    escapes = {",": "\\,", " ": "\\ ", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    if not measurement:
        escapes["="] = "\\="
    return name.translate(str.maketrans(escapes))


def _client_value(value: object, python: bool) -> str:
    if isinstance(value, bool):
        return str(value) if python else str(value).lower()
    if isinstance(value, int):
        return f"{value}i"
    if isinstance(value, float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + (text.replace("\n", "\\n") if python else text) + '"'


def client_batch(rng: random.Random) -> Batch:
    """Points a client library writes from Python values: influxdb-python's escapes or
    influxdb-client's, tags sorted, empty tag values (and, in influxdb-python, empty strings)
    left out, a field keeping the type of its first value."""
    python = rng.random() < 0.5
    name = _python_name if python else _v2_name
    precision = rng.choice(tuple(CLIENT_UNITS))
    types: dict[str, type] = {}
    lines = []
    start = rng.choice([1500000000, 1600000000, 0])
    for i in range(rng.choice([1, 3, 8, 30])):
        measurement = rng.choice(CLIENT_MEASUREMENTS)
        tags = {k: rng.choice(v) for k, v in CLIENT_TAGS.items() if rng.random() < 0.5}
        fields = {}
        for key in rng.sample(CLIENT_FIELDS, rng.choice([1, 2, 4])):
            value = rng.choice(CLIENT_VALUES)
            kind = types.setdefault(f"{measurement}.{key}", type(value))
            if type(value) is kind and not (python and value == ""):
                fields[key] = value
        if not fields:
            continue
        line = name(measurement, True)
        for key, value in sorted(tags.items()):
            escaped = name(value)
            if python and escaped.endswith("\\"):
                escaped += " "  # so that the backslash escapes no separator
            line += f",{name(key)}={escaped}" if value else ""
        line += " " + ",".join(f"{name(k)}={_client_value(v, python)}"
                               for k, v in sorted(fields.items()))
        lines.append(f"{line} {(start + rng.choice([0, i])) * CLIENT_UNITS[precision]}")
    return Batch("\n".join(lines).encode(), precision)


def case(seed: int | str) -> list[Batch]:
    """One to three batches for one database, the same for the same seed; now and then an
    agent's batch after them, a Telegraf flush after that, sent again now and then as a
    retry, a client library's batch, a batch of points that span lines and a wide batch
    last (each drawn from its own random source, so the others stay)."""
    rng = random.Random(seed)
    fields: dict[str, str] = {}
    batches = [batch(rng, fields) for _ in range(rng.choice([1, 1, 2, 3]))]
    agent = random.Random(f"agent-{seed}")
    if agent.random() < 0.3:
        batches.append(agent_batch(agent, fields))
    flush = random.Random(f"flush-{seed}")
    if flush.random() < 0.2:
        batches.append(flush_batch(flush))
        if flush.random() < 0.3:
            batches.append(batches[-1])
    client = random.Random(f"client-{seed}")
    if client.random() < 0.25:
        batches.append(client_batch(client))
    spanning = random.Random(f"spanning-{seed}")
    if spanning.random() < 0.15:
        batches.append(spanning_batch(spanning, fields))
    wide = random.Random(f"wide-{seed}")
    if wide.random() < 0.08:
        batches.append(wide_batch(wide))
    return batches
