"""Which README deviation explains a fuzz case's difference, told from the case itself.

A case's answers (one per batch, then what was stored) from InfluxDB 1.6.7 and the gateway
differ; `explain` names the deliberate deviation (README) that accounts for every difference,
or None when something is left unexplained. Each recogniser needs the deviation's cause in
the bodies and its mark in the answers, and accounts for the first differing step and what
follows from it; a difference in an earlier step is never explained. Where a second pass of
1.6.7's (RETRY) accounts for a step's answer and a later step's answer differs too, the rest
is explained from that later step, the reasons joined by `; `; and where the last differing
step's answer is QUOTE's, the rows 1.6.7 stored from its quoted lines are taken out and the
rest explained before it. Columns that 1.6.7 keeps from
points it refused are taken out of its answer before anything is compared, so a case with
phantom columns and a real difference is still reported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import partial

from tests.oracle import lpgen, lptext, lptwice
from tests.oracle.lptext import STORED, error_text, stored_points

SHARDS = "1.6.7 keeps a type per field per shard; the gateway one per column (README)"
BATCH = "1.6.7 fails a whole write for a new field given two types (README)"
RETRY = ("1.6.7 writes an existing shard again after a new field given two types, naming and "
         "counting that pass's refusals (README)")
PHANTOM = "1.6.7 adds the tags and fields of points it refuses to the columns (README)"
QUOTE = "1.6.7 stores text after a closing quote in the string (README)"
TAB_KEY = "1.6.7 stores a field with an empty key after a tab (README)"
GROUPS = "1.6.7 reports one shard group's refusals, picked at random (README)"
HEADER_CUT = "1.6.7 cuts X-Influxdb-Error inside a character (README)"
CRLF = ("the gateway names a refused line without the carriage return that ends it, a CRLF "
        "ending (README)")

_CONFLICT = re.compile(r'field type conflict: input field "((?:[^"\\]|\\.)*)" on measurement '
                       r'"((?:[^"\\]|\\.)*)"')
_DROPPED = re.compile(r"(partial write: .*) dropped=(\d+)", re.S)
_WEEK_NS = 7 * 24 * 3600 * 10**9
_UNIT_NS = {"": 1, "n": 1, "ns": 1, "u": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9,
            "h": 3600 * 10**9}


def explain(batches: Sequence[lpgen.Batch], influx: list[object], ours: list[object]
            ) -> str | None:
    # as JSON has them, so that the answers compare whatever sequences they came in
    theirs, ours = json.loads(json.dumps(influx)), json.loads(json.dumps(ours))
    # before the columns of refused points go: they show the type a refused point kept
    kept_type = lptwice.adjust(batches, theirs, ours)
    if kept_type is not None:
        ours = kept_type
    refused = any(answer[0] != 204 for answer in theirs[:-1])
    # a field listed with two types is in two shard groups, even where SELECT * hides one
    # type's points and the leftovers of refused points are taken out below
    twice = _fields_with_two_types(theirs[-1][1])
    if refused:
        theirs[-1] = _without_phantoms(theirs[-1], ours[-1])
    cut = crlf = False
    for step, (answer, mine) in enumerate(zip(theirs[:-1], ours[:-1], strict=True)):
        if answer != mine and lptext.cut_inside_a_character(answer[1], mine[1]):
            theirs[step] = [answer[0], mine[1], answer[2]]
            cut = True
        if answer != mine and (named := lptext.named_without_cr(answer)) == mine:
            theirs[step] = named
            crlf = True
    found: list[str] = []  # deviations that account for an earlier step's answer alone
    behind: list[str] = []  # ... and for a later step's answer and what it stored
    while True:
        differing = [step for step, (a, b) in enumerate(zip(theirs, ours, strict=True))
                     if a != b]
        if not differing and (found or behind):
            return "; ".join([*found, *behind])
        if not differing:
            return (HEADER_CUT if cut else CRLF if crlf else lptwice.REASON if kept_type
                    else PHANTOM if refused else None)
        first = differing[0]
        if first == len(batches):
            first = STORED
        every = (_batch, _retry, partial(_shards, twice=twice), _quote, _tab_key, _groups,
                 partial(_groups_and_shards, twice=twice))
        for recognise in _ON_ITS_OWN if found else every:
            reason = recognise(batches, first, theirs, ours, differing)
            if reason:
                return "; ".join([*found, reason, *behind])
        # Two deviations in two steps (139-114: a second pass's answer, then text after a
        # quote): where 1.6.7's second pass accounts for the first step's answer and a later
        # step's answer differs too, the first is taken as answered alike and what follows
        # is explained by a deviation whose cause is in its own body. Not where only what
        # was stored differs after it, nor by a type per shard: those may come from the
        # step's own refusals, which its answer no longer shows.
        later = [step for step in differing[1:] if step < len(batches)]
        alone = None if first == STORED or not later else _retry(
            batches, first, theirs, ours, [first])
        if alone is not None:
            theirs[first] = ours[first]
            found.append(alone)
            continue
        # Or the other way round (151-178: a type per shard, then text after a quote): the
        # last step's answer is QUOTE's, and the rows 1.6.7 stored from its lines go.
        quoted = lptext.quote_behind(batches, later, theirs, ours)
        if quoted is None:
            return None
        theirs = [*quoted[:-1], _without_phantoms(quoted[-1], ours[-1])]
        behind.insert(0, QUOTE)


def _batch(batches: Sequence[lpgen.Batch], first: int, influx: list, ours: list,
           differing: list[int]) -> str | None:
    # 1.6.7's bare "field type conflict" comes only from creating a shard's new fields when
    # the batch gave one of them two types.
    if first != STORED and influx[first][1] == "field type conflict" and ours[first][0] == 400:
        return BATCH
    return None


def _retry(batches: Sequence[lpgen.Batch], first: int, influx: list, ours: list,
           differing: list[int]) -> str | None:
    """Where the shard group exists, 1.6.7 answers a body that gives a field new there two
    types by writing the group's points again, from its list as the failed first pass left
    it (the points kept moved to the front, the rest as they were): it names that pass's
    first refusal, the new field's conflict, and counts that pass's refusals. Only the
    step's answer differs, and the gateway also refuses points in it; or what was stored
    differs too, only in the values of points the second pass refuses for a type the first
    pass gave a field before it failed (`_first_pass_types`)."""
    if first == STORED or differing not in ([first], [first, len(batches)]):
        return None
    if ours[first][0] != 400:
        return None
    named = _CONFLICT.match(error_text(influx[first]).removeprefix("partial write: "))
    if named is None or not _DROPPED.fullmatch(error_text(ours[first])):
        return None
    key, measurement = named[1], named[2]
    kinds = re.search(r"is type (\w+), already exists as type (\w+) dropped=\d+$",
                      error_text(influx[first]))
    if kinds is None:
        return None
    every = [line for step, batch in enumerate(batches[:first + 1])
             for line in lptwice.read_lines(step, batch)]
    lines = [line for line in every if line.measurement == measurement and line.types(key)]
    mine = [line for line in lines if line.step == first]
    if not mine or mine[0].types(key)[0] != kinds[2]:
        return None  # the type 1.6.7 names as existing is not this body's first
    group = mine[0].group
    if any(line.group == group for line in lines if line.step < first):
        return None  # not new to the shard group
    if not any(line.group == group for line in every if line.step < first):
        return None  # the body makes the shard group: no second pass
    # the second pass refuses the group's lines that give the other type: later lines, or
    # the first itself where it names the field again with it (`v=1.5,v=0i`)
    later = [line for at, line in enumerate(mine) if line.group == group
             and kinds[1] in line.types(key)[1 if at == 0 else 0:]]
    if not later:
        return None
    if differing == [first]:
        return RETRY
    extra = _first_pass_types(every, first, group)
    cells = {(line.measurement, line.time, key) for line in extra for key, _ in line.fields}
    counts = [_DROPPED.fullmatch(error_text(answer)) for answer in (influx[first], ours[first])]
    if not (counts[0] and counts[1]) or not 0 < int(counts[0][2]) - int(counts[1][2]) <= len(
            extra):
        return None  # 1.6.7 refused more than those points
    return RETRY if _masked(influx[-1], cells) == _masked(ours[-1], cells) else None


def _first_pass_types(lines: list[lptwice.Line], step: int, group: int | str | None
                      ) -> list[lptwice.Line]:
    """The step's points that the gateway stores and 1.6.7's second pass refuses for a type
    its first pass gave a field before failing (166-172: `cpu b=1i,a=1.5` after `cpu a=1i`
    makes `b` an integer, so a later `cpu b=t` is refused). The first pass names each field
    new to the shard group, point after point in line order, and creates them in that order
    until one was already given another type.
    """
    existing: dict[tuple[str, str], str | None] = {}
    for line in lines:
        if line.step < step and line.group == group:
            for key, kind in line.fields:
                existing.setdefault((line.measurement, key), kind)
    points = [line for line in lines if line.step == step and line.group == group
              and all(kind is not None for _, kind in line.fields)]
    created: dict[tuple[str, str], str | None] = {}
    failed = False
    for line in points:
        if any(existing.get((line.measurement, k), kind) != kind for k, kind in line.fields):
            continue  # refused by the first pass: it names no field
        for key, kind in line.fields:
            name = (line.measurement, key)
            if key == "time" or name in existing:
                continue
            if created.setdefault(name, kind) != kind:
                failed = True
                break
        if failed:
            break
    # the gateway refuses a point where a field has another type than the one the points
    # before it that it kept (or the shard group) gave the field
    known = dict(existing)
    stored = []
    for line in points:
        named = dict.fromkeys((line.measurement, k) for k, _ in line.fields)
        for k, kind in line.fields:
            named[(line.measurement, k)] = known.get((line.measurement, k), kind)
        if all(named[(line.measurement, k)] == kind for k, kind in line.fields):
            known.update(named)
            stored.append(line)
    types = {**created, **existing}
    return [line for line in stored
            if any(types.get((line.measurement, k), kind) != kind for k, kind in line.fields)]


def _masked(stored: list, cells: set[tuple[str, object, str]]) -> list:
    """A stored answer without the values in `cells`, then without the rows and columns left
    holding no field value, and without the field keys the cells name that hold none."""
    series, fields = stored
    keys = {(name, key) for name, _, key in cells}
    field_keys = {(f["name"], v[0]) for f in fields or () for v in f["values"]}
    out = []
    for name, columns, rows in series:
        masked = [[None if (name, row[0], c) in cells else v
                   for c, v in zip(columns, row, strict=True)] for row in rows]
        masked = [row for row in masked if any(
            v is not None and (name, c) in field_keys for c, v in zip(columns, row, strict=True)
            if c != "time")]
        at = [i for i, c in enumerate(columns) if any(row[i] is not None for row in masked)]
        if masked:
            out.append([name, [columns[i] for i in at],
                        sorted(([row[i] for i in at] for row in masked), key=json.dumps)])
    holding = {(name, c) for name, columns, _ in out for c in columns}
    kept = []
    for one in fields or ():
        values = [v for v in one["values"]
                  if (one["name"], v[0]) not in keys or (one["name"], v[0]) in holding]
        if values:
            kept.append({**one, "values": values})
    return [sorted(out, key=json.dumps), kept]


def _shards(batches: Sequence[lpgen.Batch], first: int, influx: list, ours: list,
            differing: list[int], twice: set[tuple[str, str]]) -> str | None:
    """1.6.7 lists a field twice, with two types, where the gateway refused the second."""
    if not twice:
        return None
    if first == STORED:
        (series, fields), (our_series, our_fields) = influx[-1], ours[-1]
        changed = {s[0] for s in _mismatched(series, our_series)}
        changed |= {f["name"] for f in _mismatched(fields or [], our_fields or [])}
        return SHARDS if changed <= {name for name, _ in twice} else None
    named = {(m.group(2), m.group(1)) for m in _CONFLICT.finditer(error_text(ours[first]))}
    if named & twice:
        return SHARDS
    return SHARDS if _hidden_conflicts(batches, first, influx, ours, differing, twice) else None


def _hidden_conflicts(batches: Sequence[lpgen.Batch], first: int, influx: list, ours: list,
                      differing: list[int], twice: set[tuple[str, str]]) -> bool:
    """The step names another refusal first, so the type conflicts show only in its count:
    the answers differ in `dropped=` alone, and the points the gateway dropped beyond 1.6.7's
    are exactly the points, of measurements with a field of two types, that 1.6.7 stored and
    the gateway did not; nothing else differs, but for the same body sent again (a client's
    retry) answered as it was the first time on both sides."""
    again = differing[1:-1]
    if differing[-1] != len(influx) - 1 or any(
            batches[step] != batches[first] or influx[step] != influx[first]
            or ours[step] != ours[first] for step in again):
        return False
    counts = [_DROPPED.fullmatch(error_text(answer)) for answer in (influx[first], ours[first])]
    if not (counts[0] and counts[1]) or counts[0][1] != counts[1][1]:
        return False
    lost = _lost_to_two_types(influx[-1], ours[-1], twice)
    extra = int(counts[1][2]) - int(counts[0][2])
    # a point sent on several lines (a Telegraf flush) is refused, and counted, per line
    return bool(lost) and extra in (len(lost), _lines_behind(batches[first], first, lost, twice))


def _lines_behind(batch: lpgen.Batch, step: int, lost: list[tuple[str, dict]],
                  twice: set[tuple[str, str]]) -> int:
    """How many lines of the body hold the lost points: lines of their measurement and shard
    group that name a field of two types."""
    groups = {(name, lptwice.group_of(point["time"])) for name, point in lost}
    return sum((line.measurement, line.group) in groups
               and any(line.types(key) for name, key in twice if name == line.measurement)
               for line in lptwice.read_lines(step, batch))


def _lost_to_two_types(influx: list, ours: list, twice: set[tuple[str, str]]
                       ) -> list[tuple[str, dict]] | None:
    """The points (with their measurement) of measurements with a field of two types that
    1.6.7 stored and the gateway did not, or None when what was stored differs otherwise."""
    typed = {name for name, _ in twice}
    (series, fields), (our_series, our_fields) = influx, ours
    if any(f["name"] not in typed for f in _mismatched(fields or [], our_fields or [])):
        return None
    theirs_by_name = {s[0]: stored_points(s) for s in series}
    field_keys = {f["name"]: {v[0] for v in f["values"]} for f in our_fields or ()}
    missing = []
    for name, points in ((s[0], stored_points(s)) for s in our_series):
        shown = theirs_by_name.get(name, [])
        for point, seen in zip(points, _without(points, twice, name), strict=True):
            # 1.6.7's SELECT * shows a field of two types with one type's values: a point
            # may show without its value, or not at all if it has no other field
            if point not in shown and seen not in shown and field_keys.get(name, set()) & {*seen}:
                return None  # the gateway holds a point 1.6.7 does not
    for name, points in theirs_by_name.items():
        mine = next((stored_points(s) for s in our_series if s[0] == name), [])
        seen = _without(mine, twice, name)
        lost = [p for p in points if p not in mine and p not in seen]
        if lost and name not in typed:
            return None
        missing += [(name, point) for point in lost]
    return missing


def _without(points: list[dict], twice: set[tuple[str, str]], name: str) -> list[dict]:
    """The points of measurement `name` without the values of its fields of two types."""
    two_typed = {key for measurement, key in twice if measurement == name}
    return [{k: v for k, v in point.items() if k not in two_typed} for point in points]


def _quote(batches: Sequence[lpgen.Batch], first: int, influx: list, ours: list,
           differing: list[int]) -> str | None:
    """The gateway refuses a line with text after a closing quote that 1.6.7 reads."""
    cause = lptext.text_after_quote
    refused = lptext.refused_line(batches, first, influx, ours, cause, "invalid field format")
    return QUOTE if refused else None


def _tab_key(batches: Sequence[lpgen.Batch], first: int, influx: list, ours: list,
             differing: list[int]) -> str | None:
    """The gateway refuses `cpu \\t=1` (blanks ending in a tab, then `=`) as a missing field
    key; 1.6.7 checks only for a space before the `=`."""
    def cause(body: str) -> bool:
        return bool(lptext.TAB_KEY.search(body.encode()))

    refused = lptext.refused_line(batches, first, influx, ours, cause, "missing field key")
    return TAB_KEY if refused else None


def _groups(batches: Sequence[lpgen.Batch], first: int, influx: list, ours: list,
            differing: list[int]) -> str | None:
    """Refusals in several shard groups: 1.6.7 answers with the refusals of the group whose
    write failed first and counts only those; everything else about the case is the same."""
    if first == STORED or differing != [first]:
        return None
    dropped = [re.fullmatch(r"partial write: .* dropped=(\d+)", answer[1] or "", re.S)
               for answer in (influx[first], ours[first])]
    if not (dropped[0] and dropped[1]) or int(dropped[0][1]) >= int(dropped[1][1]):
        return None
    return GROUPS if len(_groups_of(batches[first])) > 1 else None


def _groups_and_shards(batches: Sequence[lpgen.Batch], first: int, influx: list, ours: list,
                       differing: list[int], twice: set[tuple[str, str]]) -> str | None:
    """Both at once (107-283): the step's refusals fall in several shard groups, and among
    them are type conflicts that 1.6.7 does not have in their groups, where it stores the
    points. The step's answer differs as `_groups` has it; what was stored differs only by
    points 1.6.7 stored with a value of a type it lists for the field beside the gateway's;
    the gateway counts those and at most as many other refusals as the body has points
    outside the groups of the refusal 1.6.7 names (and of the points it stored)."""
    if first == STORED or differing != [first, len(influx) - 1]:
        return None
    if not _groups(batches, first, influx, ours, [first]):
        return None
    counts = [_DROPPED.fullmatch(error_text(answer)) for answer in (influx[first], ours[first])]
    lost = _lost_to_two_types(influx[-1], ours[-1], twice)
    if not (counts[0] and counts[1]) or not lost:
        return None
    extra = int(counts[1][2]) - int(counts[0][2])
    theirs_types = lptwice.field_types(influx[-1][1])
    our_types = lptwice.field_types(ours[-1][1])
    for name, point in lost:
        other = {(key, kind) for (m, key), kinds in theirs_types.items() if m == name
                 for kind in set(kinds) - set(our_types.get((m, key), []))}
        if not any(_fits(point.get(key), kind) for key, kind in other):
            return None  # not a point of the field's other type
    lines = lptwice.read_lines(first, batches[first])
    kept = {(name, lptwice.group_of(point["time"])) for name, point in lost}
    named = [line for line in _named_lines(error_text(influx[first]), lines)
             if (line.measurement, line.group) not in kept]  # stored there, not refused
    groups = {line.group for line in named}
    room = sum(line.group not in groups and (line.measurement, line.group) not in kept
               for line in lines)  # lines that may hold the refusals 1.6.7 did not count
    if not named or not 0 <= extra - len(lost) <= room:
        return None
    return f"{GROUPS}; {SHARDS}"


# the recognisers whose cause lies in the differing step's own body: after a step explained
# on its own, nothing of its refusals can hide behind them
_ON_ITS_OWN = (_batch, _retry, _quote, _tab_key)


def _named_lines(error: str, lines: list[lptwice.Line]) -> list[lptwice.Line]:
    """The lines 1.6.7's partial-write refusal may name: a `time` tag's or a conflict's."""
    tag = re.match(r'partial write: invalid tag key: input tag "time" on measurement '
                   r'"((?:[^"\\]|\\.)*)"', error)
    if tag:
        return [line for line in lines if line.measurement == tag[1] and "time" in line.tags]
    conflict = _CONFLICT.match(error.removeprefix("partial write: "))
    kind = re.search(r"is type (\w+), already exists", error)
    if conflict and kind:
        return [line for line in lines
                if line.measurement == conflict[2] and kind[1] in line.types(conflict[1])]
    return []


def _fits(value: object, kind: str) -> bool:
    """Whether a JSON value can be of 1.x type `kind` (a float may show as a whole number)."""
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or kind == "float" and isinstance(value, float)


def _without_phantoms(influx: list, ours: list) -> list:
    """1.6.7's stored answer without the columns and field keys that hold no value there and
    that the gateway does not have, nor the field types the gateway does not list of a
    measurement whose rows are the gateway's: a refused point registers its fields' types in
    its shard group even where the field holds values of another type in another group."""
    series, fields = influx
    mine = {s[0]: set(s[1]) for s in ours[0]}
    kept_series, holding, same_rows = [], {}, set()
    for name, columns, rows in series:
        keep = [i for i, c in enumerate(columns) if c in mine.get(name, ())
                or any(row[i] is not None for row in rows)]
        kept = [name, [columns[i] for i in keep],
                sorted(([row[i] for i in keep] for row in rows), key=json.dumps)]
        kept_series.append(kept)
        holding[name] = {columns[i] for i in keep}
        if kept in ours[0]:
            same_rows.add(name)
    our_fields = {(f["name"], tuple(v)) for f in ours[1] or () for v in f["values"]}
    kept_fields = []
    for one in fields or ():
        values = [v for v in one["values"] if (one["name"], tuple(v)) in our_fields
                  or v[0] in holding.get(one["name"], ()) and one["name"] not in same_rows]
        if values:
            kept_fields.append({**one, "values": values})
    return [sorted(kept_series, key=json.dumps), kept_fields or None]


def _mismatched(one: list, other: list) -> list:
    """What either list holds that the other does not."""
    return [x for x in one if x not in other] + [x for x in other if x not in one]


def _fields_with_two_types(fields: list | None) -> set[tuple[str, str]]:
    twice = set()
    for one in fields or ():
        keys = [v[0] for v in one["values"]]
        twice |= {(one["name"], k) for k in keys if keys.count(k) > 1}
    return twice


def _groups_of(batch: lpgen.Batch) -> set[int | None]:
    """The 7-day shard groups of a body's lines (None: the server's now), told from each
    line's last word where it is a number."""
    unit = _UNIT_NS[batch.precision]
    groups: set[int | None] = set()
    for line in batch.body.decode().split("\n"):
        words = line.split(" ")
        if len(words) < 2 or not line.strip() or line.lstrip().startswith("#"):
            continue
        last = words[-1]
        groups.add(int(last) * unit // _WEEK_NS if re.fullmatch(r"-?\d+", last) else None)
    return groups
