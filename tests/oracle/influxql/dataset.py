"""The InfluxQL oracle's dataset: a small, deterministic set of points written as line protocol.

Everything is computed from fixed formulas (and one seeded generator), around
2024-01-01T00:00:00Z, so both servers store the same points on every run. The main window the
cases query is [2024-01-01T00:00:00Z, 2024-01-01T02:00:00Z); a few points lie before and after
it so that time bounds matter.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

DATABASE = "iql"
DATABASE2 = "iql_db2"

#: 2024-01-01T00:00:00Z in seconds.
T0 = 1704067200
MINUTE = 60
HOUR = 3600


@dataclass(frozen=True, slots=True)
class Batch:
    """Line protocol for one database, in seconds precision."""

    database: str
    lines: tuple[str, ...]

    @property
    def body(self) -> bytes:
        """The POST /write body."""
        return ("\n".join(self.lines) + "\n").encode()


def number(value: float) -> str:
    """A float field value as line protocol (always with a dot, so it stays a float)."""
    text = repr(float(value))
    return text if ("." in text or "e" in text) else text + ".0"


def cpu_lines() -> list[str]:
    """cpu: five series with different tag keys, one point a minute for two hours.

    server03 has a gap from 00:30 to 00:50; server04 has no `cpu` tag; usage_idle is missing
    on server02 every fourth minute; temp goes negative and through zero.
    """
    series = [
        "host=server01,region=us-west,cpu=cpu0",
        "host=server01,region=us-west,cpu=cpu1",
        "host=server02,region=us-west,cpu=cpu0",
        "host=server03,region=us-east,cpu=cpu0",
        "host=server04,region=eu",
    ]
    lines = []
    for k, tags in enumerate(series):
        for i in range(120):
            if k == 3 and 30 <= i < 50:
                continue
            # The k-dependent hundredths keep values apart across series, so selectors
            # never have to choose between equal values at the same time.
            user = round(((i * 7 + k * 13) % 50) + 0.5 * (i % 3) + 0.01 * k, 2)
            system = round(((i * 3 + k * 5) % 20) + 0.25 * (i % 4) + 0.01 * k, 2)
            idle = round(100 - user - system, 2)
            temp = round(((i * 11 + k * 5) % 40) - 20 + 0.1 * k, 1)
            fields = [f"usage_user={number(user)}", f"usage_system={number(system)}",
                      f"temp={number(temp)}"]
            if not (k == 2 and i % 4 == 3):
                fields.insert(2, f"usage_idle={number(idle)}")
            lines.append(f"cpu,{','.join(sorted(tags.split(',')))} {','.join(fields)} "
                         f"{T0 + i * MINUTE}")
    # Outside the main window: a week before and nine days after.
    lines.append(f"cpu,cpu=cpu0,host=server01,region=us-west usage_user=99.5,usage_system=0.5,"
                 f"usage_idle=0.0,temp=-40.0 {T0 - 7 * 24 * HOUR}")
    lines.append(f"cpu,cpu=cpu0,host=server01,region=us-west usage_user=1.5,usage_system=2.5,"
                 f"usage_idle=96.0,temp=40.0 {T0 + 9 * 24 * HOUR}")
    return lines


def mem_lines() -> list[str]:
    """mem: integer fields for three hosts, one point every five minutes for two hours."""
    lines = []
    for k, host in enumerate(["server01", "server02", "server03"]):
        for i in range(24):
            used = 0 if (k == 1 and i == 5) else 1000 + ((i * 37 + k * 101) % 500) * (k + 1)
            total = 8000 * (k + 1)
            free = total - used
            delta = used - 1500 if i % 2 else 1500 - used
            lines.append(f"mem,host={host} used={used}i,free={free}i,total={total}i,"
                         f"delta={delta}i {T0 + i * 5 * MINUTE}")
    lines.append(f"mem,host=server01 used=7i,free=7993i,total=8000i,delta=-7i {T0 - HOUR}")
    return lines


def disk_lines() -> list[str]:
    """disk: paths with slashes in tag values, one point every ten minutes; /home has a gap."""
    lines = []
    for k, path in enumerate(["/", "/var", "/home"]):
        for i in range(12):
            if path == "/home" and i in (4, 5, 6):
                continue
            percent = round(40 + k * 15 + (i * 13 % 9) * 1.5, 2)
            lines.append(f"disk,host=server01,path={path} used_percent={number(percent)},"
                         f"inodes={1000 * (k + 1) + i * 7}i {T0 + i * 10 * MINUTE}")
    return lines


def events_lines() -> list[str]:
    """events: strings and booleans at irregular times, tagged by source and level."""
    levels = ["info", "info", "warn", "error"]
    lines = []
    for i in range(40):
        source = "app" if i % 3 else "db"
        level = levels[i % 4]
        message = ["started", "request ok", "slow \\\"query\\\"", "failed, retrying"][i % 4]
        ok = "true" if level != "error" else "false"
        code = [200, 200, 299, 500][i % 4] + i % 2
        latency = number(round(0.5 + (i * 17 % 23) * 0.75, 2))
        lines.append(f'events,level={level},source={source} message="{message}",ok={ok},'
                     f"code={code}i,latency={latency} {T0 + i * 173}")
    return lines


def counter_lines() -> list[str]:
    """counters: monotonically increasing counters that reset to zero part-way through."""
    lines = []
    for host, reset in (("server01", 30), ("server02", 40)):
        requests = 0
        transferred = 0.0
        for i in range(60):
            if i == reset:
                requests, transferred = 0, 0.0
            else:
                requests += (i % 5 + 1) * 10
                transferred += (i % 7 + 1) * 1.25
            lines.append(f"counters,host={host} requests={requests}i,"
                         f"bytes={number(transferred)} {T0 + i * MINUTE}")
    return lines


def awkward_lines() -> list[str]:
    """`weird measure`: a space in the measurement, keys with spaces, quotes, dots and keywords."""
    lines = []
    for i in range(10):
        tag = "a\\ value" if i % 2 else "café"
        group = "g1" if i < 5 else "g2"
        lines.append(
            f'weird\\ measure,tag\\ key={tag},group={group},q"k=x '
            f'field\\ name={number(i * 1.5)},select={i}i,with.dot={number(-i)},'
            f'f"q="s{i}" {T0 + i * MINUTE}')
    return lines


def sparse_lines() -> list[str]:
    """sparse: not every point has every field."""
    lines = []
    for i in range(24):
        fields = []
        if i % 2 == 0:
            fields.append(f"a={number(i * 0.5 - 3)}")
        if i % 3 == 0:
            fields.append(f"b={i * 2}i")
        if i % 5 == 0:
            fields.append(f'c="v{i}"')
        if not fields:
            fields.append("d=true")
        ident = "x" if i < 12 else "y"
        lines.append(f"sparse,id={ident} {','.join(fields)} {T0 + i * 150}")
    return lines


def single_lines() -> list[str]:
    """single: three series with one point each."""
    return [f"single,id={k} v={number(k * -2.5)} {T0 + 600 + k * 1000}" for k in (1, 2, 3)]


def gauge_lines() -> list[str]:
    """gauge: four series reporting together every minute for ten minutes, whose last points
    tie on time; id=a's newest point carries only `w`, so its latest `v` is a minute older."""
    lines = []
    for k, ident in enumerate("abcd"):
        for i in range(11):
            fields = [f"w={i + k}i"]
            if not (ident == "a" and i == 10):
                # at 00:10 the three last values tie on time: b < d < c
                fields.insert(0, f"v={number(i + (0.4, 0.1, 0.3, 0.2)[k])}")
            lines.append(f"gauge,id={ident} {','.join(fields)} {T0 + i * MINUTE}")
    return lines


def stock_lines() -> list[str]:
    """stock: a seeded random walk per symbol, for the technical-analysis functions."""
    rng = random.Random(1704067200)
    lines = []
    for symbol, start in (("AAA", 100.0), ("BBB", 20.0)):
        price = start
        for i in range(60):
            price = round(max(1.0, price + rng.uniform(-2, 2)), 2)
            volume = rng.randrange(100, 1000)
            lines.append(f"stock,symbol={symbol} price={number(price)},volume={volume}i "
                         f"{T0 + i * MINUTE}")
    return lines


def wave_lines() -> list[str]:
    """wave: a seasonal signal (period two hours) every ten minutes for a day, for holt_winters."""
    lines = []
    for i in range(144):
        level = round(10 + 0.02 * i + 4 * math.sin(2 * math.pi * i / 12) + (i * 7 % 5) * 0.1, 3)
        lines.append(f"wave,location=harbor level={number(level)} {T0 + i * 10 * MINUTE}")
    return lines


def twin_lines(database: str) -> list[str]:
    """twin: one series (host=a) in both databases, `v` a float in the main one and an integer
    in the second; the two hold a point at 00:00 each, then one at 00:01 (main) and 00:02."""
    if database == DATABASE:
        return [f"twin,host=a v=1.5 {T0}", f"twin,host=a v=2.5 {T0 + MINUTE}"]
    return [f"twin,host=a v=7i {T0}", f"twin,host=a v=9i {T0 + 2 * MINUTE}"]


def pair_lines(database: str) -> list[str]:
    """pair: three series (host a, b, c) in the main database and two of them in the second,
    every point at 00:00 or 00:03, so first() and last() meet ties within a database and
    between the two. `u` is a float in both, and in the main database its largest value at
    either time sits in the middle series; `k` is an integer in the main one, a float in the
    second; `e` has one equal value in each (hosts b and a); `ok` is a boolean in both."""
    if database == DATABASE:
        return [f"pair,host=a u=1.0,k=10i {T0}", f"pair,host=b u=5.0,e=2.0 {T0}",
                f"pair,host=c u=2.0,ok=false {T0}",
                f"pair,host=a u=4.0,k=3i,ok=true {T0 + 3 * MINUTE}",
                f"pair,host=b u=9.0 {T0 + 3 * MINUTE}", f"pair,host=c u=7.0 {T0 + 3 * MINUTE}"]
    return [f"pair,host=a u=3.0,k=2.5,e=2.0,ok=true {T0}",
            f"pair,host=b u=8.0,k=3.5,ok=false {T0 + 3 * MINUTE}"]


def mixed_lines(database: str) -> list[str]:
    """mixed: in both databases, each field of a different kind in each: `x` a float in the
    main one and text in the second, `y` a boolean and text, `z` text and an integer."""
    if database == DATABASE:
        return [f'mixed,host=a x=1.5,y=true,z="s1" {T0}',
                f'mixed,host=a x=2.5,y=false,z="s2" {T0 + 2 * MINUTE}']
    return [f'mixed,host=a x="zz",y="t",z=3i {T0 + MINUTE}',
            f'mixed,host=b x="yy",y="u",z=4i {T0 + 3 * MINUTE}']


def huge_lines() -> list[str]:
    """huge: integers near int64's ends, whose sums pass it. In the main window `a` and `b`
    each sum past int64 (a over, b under) while both together do not; `c` and `a`'s first
    point sum past it only across series. A week before, `a` passes it within one shard group
    (7 days from Monday) and again with the window's points."""
    big = (1 << 63) - 1
    return [
        f"huge,host=a i={big - 10}i {T0}", f"huge,host=a i={big - 20}i {T0 + MINUTE}",
        f"huge,host=a i=100i {T0 + 2 * MINUTE}",
        f"huge,host=b i={-big}i {T0}", f"huge,host=b i={-big}i {T0 + MINUTE}",
        f"huge,host=b i=-5i {T0 + 3 * MINUTE}",
        f"huge,host=c i={big - 1}i {T0 + 4 * MINUTE}", f"huge,host=c i=4i {T0 + 5 * MINUTE}",
        f"huge,host=a i={big - 1}i {T0 - 8 * 24 * HOUR}",
        f"huge,host=a i=3i {T0 - 8 * 24 * HOUR + MINUTE}",
    ]


def main_batch() -> Batch:
    """Every measurement of the main database."""
    lines = (cpu_lines() + mem_lines() + disk_lines() + events_lines() + counter_lines()
             + awkward_lines() + sparse_lines() + single_lines() + gauge_lines() + stock_lines()
             + wave_lines() + twin_lines(DATABASE) + pair_lines(DATABASE)
             + mixed_lines(DATABASE) + huge_lines())
    return Batch(DATABASE, tuple(lines))


def many_lines() -> list[str]:
    """Three dozen small measurements (`many_00`...), for regex sources naming many at once
    (Grafana's and the influx CLI's `FROM /.*/`): tags and field types vary between them,
    some points lie outside the main window."""
    lines = []
    for m in range(36):
        tags = ("", f",host=h{m % 3}", f",host=h{m % 2},region=r{m % 4}")[m % 3]
        value = f"{m * 3}i" if m % 4 == 0 else number(m * 1.25)
        extra = f",ok={'true' if m % 2 else 'false'}" if m % 5 == 0 else ""
        for i in range(1 + m % 3):
            stamp = T0 + (m * 7 + i * 41) * MINUTE - (3 * HOUR if m % 11 == 0 else 0)
            lines.append(f"many_{m:02d}{tags} value={value}{extra} {stamp}")
    return lines


def second_batch() -> Batch:
    """The second database, for fully qualified sources and SHOW ... ON."""
    lines = [f"cpu,host=db2host,region=ap usage_user={number(10 + i)} {T0 + i * MINUTE}"
             for i in range(5)]
    lines += [f"net,iface=eth{i % 2} bytes_in={i * 100}i {T0 + i * MINUTE}" for i in range(6)]
    lines += twin_lines(DATABASE2) + pair_lines(DATABASE2) + mixed_lines(DATABASE2)
    lines += many_lines()
    return Batch(DATABASE2, tuple(lines))


BATCHES = (main_batch(), second_batch())


def slice_batch(database: str) -> Batch:
    """cpu, mem and disk only, into `database`: the copy each mutating case starts from."""
    return Batch(database, tuple(cpu_lines() + mem_lines() + disk_lines()))
