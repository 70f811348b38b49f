"""Property: the store's checks refuse the lines 1.x refuses for a field's type, whatever
chunks the parser cuts (lines too wide to share one among them)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.backends.native.writes import check_batch
from translators.lineprotocol import Precision, parse_lines

VALUES = {"float": "1", "integer": "1i", "boolean": "t", "string": '"s"'}


@st.composite
def wide_lines(draw: st.DrawFn) -> list[dict[str, str]]:
    """Lines of one measurement: a few keys whose type varies among many that do not, some
    lines wide enough to need a chunk of their own."""
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        fields = {f"k{i}": draw(st.sampled_from(sorted(VALUES)))
                  for i in draw(st.sets(st.integers(0, 3), min_size=1))}
        start = draw(st.integers(0, 150))  # under the 500 columns a table may hold
        fields |= {f"g{i}": "float" for i in range(start, start + draw(
            st.sampled_from([0, 1, 100, 200, 300])))}
        lines.append(fields)
    return lines


def refused_by_1x(lines: list[dict[str, str]]) -> set[int]:
    """In line order, a line whose field has another type than the first accepted line gave
    it is refused, and gives no field its type."""
    types: dict[str, str] = {}
    refused = set()
    for number, fields in enumerate(lines, 1):
        if any(types.get(key, kind) != kind for key, kind in fields.items()):
            refused.add(number)
        else:
            types.update((key, kind) for key, kind in fields.items() if key not in types)
    return refused


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wide_lines())
def test_the_first_type_in_line_order_wins(lines: list[dict[str, str]]) -> None:
    body = "\n".join("cpu " + ",".join(f"{k}={VALUES[kind]}" for k, kind in fields.items())
                     + f" {number}" for number, fields in enumerate(lines, 1))
    batch = parse_lines(body.encode(), Precision.NANOSECOND, 0)
    assert batch.errors == []
    _, refusals = check_batch(None, batch)
    assert {line for line, _ in refusals.kept} == refused_by_1x(lines)
