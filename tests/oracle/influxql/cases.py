"""Every case of the InfluxQL oracle, by family, as the test modules parametrise them.

A query case is `pytest.param(statement[, request_params], id=...)`; `request_params` add to
(or, with `None`, remove) the default `db` parameter. Ids are unique across all families,
because `pending.py` names cases by id alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest

from . import (
    cases_databases,
    cases_errors,
    cases_formats,
    cases_functions,
    cases_int64,
    cases_mutations,
    cases_select,
    cases_show,
)
from .dataset import DATABASE
from .pending import PENDING

#: Family name → cases, for counting and reporting.
QUERY_FAMILIES: dict[str, Sequence[Any]] = {
    "select": cases_select.CASES,
    "databases": cases_databases.CASES,
    "functions": cases_functions.CASES,
    "int64": cases_int64.CASES,
    "show": cases_show.CASES,
    "errors": cases_errors.CASES,
}
QUERY_CASES = [case for family in QUERY_FAMILIES.values() for case in family]
FORMAT_CASES = list(cases_formats.CASES)
MUTATION_CASES = list(cases_mutations.CASES)

PENDING_REASON = "pending: gateway does not answer this yet"


def request_params(values: Sequence[Any]) -> dict[str, str | None]:
    """The query parameters of a query case: `db` plus whatever the case adds or removes."""
    extra = values[1] if len(values) > 1 else {}
    return {"db": DATABASE, **extra}


def marked(case: Any, *values: Any) -> Any:
    """`case` as a pytest param with `values`, a strict expected failure if pending."""
    marks = list(case.marks)
    if case.id in PENDING:
        # Only a differing answer is expected; a broken fixture (e.g. influxd missing in CI)
        # must still fail.
        marks.append(pytest.mark.xfail(strict=True, raises=AssertionError,
                                       reason=PENDING_REASON))
    return pytest.param(*values, id=case.id, marks=marks)


def query_params() -> list[Any]:
    """(statement, request_params) for every query case."""
    return [marked(case, case.values[0], request_params(case.values)) for case in QUERY_CASES]


def format_params() -> list[Any]:
    """(statement, request_params, headers) for every format case."""
    return [marked(case, case.values[0], {"db": DATABASE, **case.values[1]}, case.values[2])
            for case in FORMAT_CASES]


def mutation_params() -> list[Any]:
    """(statement, follow_ups, database) for every mutating case."""
    return [marked(case, *case.values, database_for(case.id)) for case in MUTATION_CASES]


def database_for(case_id: str) -> str:
    """The fresh database a mutating case runs in."""
    return "mut_" + case_id.replace("-", "_")


def all_ids() -> list[str]:
    """Every case id, in suite order."""
    return [case.id for case in QUERY_CASES + FORMAT_CASES + MUTATION_CASES]


_duplicates = [name for name, seen in Counter(all_ids()).items() if seen > 1]
assert not _duplicates, f"duplicate case ids: {_duplicates}"
