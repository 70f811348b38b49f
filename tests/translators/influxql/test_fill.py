"""fill(<number>)'s value cast to a call's type as 1.x casts it, Go's conversions included."""

from __future__ import annotations

from typing import Any

import pytest

from translators.influxql.fill import cast_fill

INT64_MIN = -(2**63)


@pytest.mark.parametrize(("value", "kind", "expected"), [
    pytest.param(2.5, "integer", 2, id="integer-truncated"),
    pytest.param(-2.5, "integer", -2, id="integer-truncated-toward-zero"),
    pytest.param(-1, "integer", -1, id="integer-literal"),
    # Go's int64(float64) on amd64 answers -2^63 for a float no int64 holds (1.6.7 does)
    pytest.param(1e23, "integer", INT64_MIN, id="integer-past-int64"),
    pytest.param(-1e23, "integer", INT64_MIN, id="integer-below-int64"),
    pytest.param(2.0**63, "integer", INT64_MIN, id="integer-just-past-int64"),
    pytest.param(-(2.0**63), "integer", INT64_MIN, id="integer-at-int64-min"),
    pytest.param(2.5, "unsigned", 2, id="unsigned-truncated"),
    pytest.param(-1, "unsigned", 2**64 - 1, id="unsigned-of-negative-integer"),
    pytest.param(-1.5, "unsigned", 2**64 - 1, id="unsigned-of-negative-float"),
    pytest.param(2.0**63, "unsigned", 2**63, id="unsigned-past-int64"),
    pytest.param(1e23, "unsigned", 2**63, id="unsigned-past-uint64"),
    pytest.param(-1, "float", -1.0, id="float"),
    pytest.param(1, "boolean", False, id="boolean"),
    pytest.param(1, "string", "", id="string"),
    pytest.param(1.5, None, 1.5, id="unknown-type"),
])
def test_cast_fill(value: float | int, kind: str | None, expected: Any) -> None:
    cast = cast_fill(value, kind)
    assert cast == expected and type(cast) is type(expected)
