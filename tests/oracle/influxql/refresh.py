"""Re-run every oracle comparison and rewrite pending.py with the ids that still differ.

    .venv/bin/python -m tests.oracle.influxql.pending --update   # rewrite pending.py
    .venv/bin/python -m tests.oracle.influxql.pending            # report only
    .venv/bin/python -m tests.oracle.influxql.pending --show ID  # print one case's difference
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from . import cases
from .oracle import Servers, compare, compare_mutation, load, running_servers
from .pending import PENDING

PENDING_FILE = Path(__file__).with_name("pending.py")
BLOCK = re.compile(r"(# BEGIN PENDING[^\n]*\n).*?(# END PENDING)", re.S)

Check = Callable[[Servers], "str | None"]


def query_checks() -> dict[str, Check]:
    """Id → comparison for the query and format cases (one dataset-loaded pair of servers)."""
    checks: dict[str, Check] = {}
    for case in cases.QUERY_CASES:
        statement, params = case.values[0], cases.request_params(case.values)
        checks[case.id] = lambda s, q=statement, p=params: compare(s, q, p)
    for param in cases.format_params():
        statement, params, headers = param.values
        checks[param.id] = lambda s, q=statement, p=params, h=headers: compare(s, q, p, h)
    return checks


def mutation_checks() -> dict[str, Check]:
    """Id → comparison for the mutating cases (a pair of servers of their own)."""
    checks: dict[str, Check] = {}
    for param in cases.mutation_params():
        statement, follow_ups, database = param.values
        checks[param.id] = (lambda s, q=statement, f=follow_ups, d=database:
                            compare_mutation(s, q, f, d))
    return checks


def run(checks: dict[str, Check], servers: Servers) -> dict[str, str]:
    """Id → difference for every check that fails (an exception counts as a difference)."""
    failures = {}
    for ident, check in checks.items():
        try:
            found = check(servers)
        except Exception as exc:  # noqa: BLE001 - a crash is a difference like any other
            found = f"{type(exc).__name__}: {exc}"
        if found:
            failures[ident] = found
    return failures


def collect(only: set[str] | None = None) -> dict[str, str]:
    """Start the servers, run the (selected) checks, return the failures."""
    failures: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="influxql-oracle-") as work:
        for name, checks, with_data in (("queries", query_checks(), True),
                                        ("mutations", mutation_checks(), False)):
            if only is not None:
                checks = {k: v for k, v in checks.items() if k in only}
            if not checks:
                continue
            with running_servers(Path(work) / name) as servers:
                if with_data:
                    load(servers)
                failures.update(run(checks, servers))
    return failures


def render(ids: list[str]) -> str:
    """The PENDING assignment for pending.py."""
    if not ids:
        return "PENDING: frozenset[str] = frozenset()\n"
    body = "".join(f"    {ident!r},\n" for ident in ids)
    return "PENDING: frozenset[str] = frozenset({\n" + body + "})\n"


def rewrite(ids: list[str]) -> None:
    """Replace the generated block of pending.py."""
    text = PENDING_FILE.read_text()
    replaced, count = BLOCK.subn(lambda m: m.group(1) + render(ids) + m.group(2), text)
    if count != 1:
        raise SystemExit(f"{PENDING_FILE}: generated block not found")
    PENDING_FILE.write_text(replaced)


def main(argv: list[str] | None = None) -> int:
    """Command line: report, `--update` pending.py, or `--show` chosen cases' differences."""
    parser = argparse.ArgumentParser(prog="python -m tests.oracle.influxql.pending")
    parser.add_argument("--update", action="store_true", help="rewrite pending.py")
    parser.add_argument("--show", nargs="+", metavar="ID", help="print these cases' differences")
    args = parser.parse_args(argv)
    order = cases.all_ids()
    failures = collect(set(args.show) if args.show else None)
    if args.show:
        for ident in args.show:
            print(f"{ident}: {failures.get(ident, 'same answer')}")
        return 0
    failing = [ident for ident in order if ident in failures]
    now_passing = sorted(PENDING - set(failing))
    new_failures = [ident for ident in failing if ident not in PENDING]
    print(f"{len(order)} cases: {len(order) - len(failing)} match InfluxDB 1.6.7, "
          f"{len(failing)} differ")
    for ident in now_passing:
        print(f"  now passing: {ident}")
    for ident in new_failures:
        print(f"  newly failing: {ident}: {failures[ident].splitlines()[0]}")
    if args.update:
        rewrite(failing)
        print(f"rewrote {PENDING_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
