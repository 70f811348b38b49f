"""The write fuzzer's classifier: each README deviation is recognised from its case, and a
difference it does not account for is left unexplained."""

from __future__ import annotations

import json

import pytest

from tests.oracle.lpexplain import (
    BATCH,
    CRLF,
    GROUPS,
    HEADER_CUT,
    PHANTOM,
    QUOTE,
    RETRY,
    SHARDS,
    TAB_KEY,
    explain,
)
from tests.oracle.lpgen import Batch
from tests.oracle.lptwice import REASON as KEPT_TYPE

OK = (204, None, "")


def refused(message: str) -> tuple[int, str, str]:
    return 400, message, json.dumps({"error": message})


def stored(*series: tuple[str, list[str], list[list[object]]],
           fields: dict[str, list[list[str]]] | None = None) -> tuple[list, list | None]:
    keys = [{"name": name, "columns": ["fieldKey", "fieldType"], "values": values}
            for name, values in (fields or {}).items()]
    return list(series), keys or None


CPU = stored(("cpu", ["time", "v"], [[1, 1.0]]), fields={"cpu": [["v", "float"]]})
CONFLICT = ('partial write: field type conflict: input field "v" on measurement "cpu" is type '
            "string, already exists as type float dropped=1")
TIME_TAG = 'partial write: invalid tag key: input tag "time" on measurement "cpu" is invalid'


def test_columns_of_refused_points_are_taken_out() -> None:
    batches = [Batch(b'cpu v=1 1\ncpu,h=a v="x" 2', "")]
    theirs = stored(("cpu", ["time", "h", "v"], [[1, None, 1.0]]),
                    fields={"cpu": [["v", "float"]]})
    assert explain(batches, [refused(CONFLICT), theirs], [refused(CONFLICT), CPU]) == PHANTOM
    # ... but a value that differs beside them is not explained
    other = stored(("cpu", ["time", "h", "v"], [[1, None, 2.0]]), fields={"cpu": [["v", "float"]]})
    assert explain(batches, [refused(CONFLICT), other], [refused(CONFLICT), CPU]) is None


def test_whole_batch_type_conflict() -> None:
    batches = [Batch(b"cpu v=1 1", ""), Batch(b'mem w=1 1\nmem w="x" 2', "")]
    theirs = [OK, (400, "field type conflict", '{"error":"field type conflict"}\n'), CPU]
    ours = [OK, refused(CONFLICT), stored()]
    assert explain(batches, theirs, ours) == BATCH
    # a difference before it is not the deviation's doing
    assert explain(batches, theirs, [refused(CONFLICT), *ours[1:]]) is None


def test_a_type_per_shard() -> None:
    batches = [Batch(b"cpu v=1 1", ""), Batch(b'cpu v="x" 1500000000000000000', "")]
    both = stored(("cpu", ["time", "v"], [[1, 1.0]]),
                  fields={"cpu": [["v", "float"], ["v", "string"]]})
    assert explain(batches, [OK, OK, both], [OK, refused(CONFLICT), CPU]) == SHARDS
    assert explain(batches, [OK, OK, CPU], [OK, refused(CONFLICT), CPU]) is None


@pytest.mark.parametrize(("body", "reason"), [
    pytest.param(b'cpu v="a"b 1', QUOTE, id="text-after-quote"),
    pytest.param(b'cpu v="a",w=1 1', None, id="separator-after-quote"),
])
def test_text_after_a_closing_quote(body: bytes, reason: str | None) -> None:
    ours = refused(f"unable to parse '{body.decode()}': invalid field format")
    assert explain([Batch(body, "")], [OK, CPU], [ours, stored()]) == reason
    # with a line that fails on both, the answers agree and only what was stored differs
    both = refused(f"unable to parse '{body.decode()}': invalid field format\n"
                   "unable to parse 'x': missing fields")
    assert explain([Batch(body + b"\nx", "")], [both, CPU], [both, stored()]) == reason


@pytest.mark.parametrize(("body", "reason"), [
    pytest.param(b"cpu \t=1 1", TAB_KEY, id="tab-before-equals"),
    pytest.param(b"cpu =1 1", None, id="space-before-equals"),
])
def test_empty_field_key_after_a_tab(body: bytes, reason: str | None) -> None:
    ours = refused(f"unable to parse '{body.decode()}': missing field key")
    theirs = stored(("cpu", ["time", "val0"], [[1, 1.0]]), fields={"cpu": [["", "float"]]})
    assert explain([Batch(body, "")], [OK, theirs], [ours, stored()]) == reason
    # a refused point's reason hides it: only what was stored differs
    masked = refused("partial write: " + TIME_TAG + " dropped=1")
    assert explain([Batch(body + b"\ncpu,time=a v=1 1", "")], [masked, theirs],
                   [masked, stored()]) == reason


@pytest.mark.parametrize(("body", "reason"), [
    pytest.param(b"cpu,time=a v=1 1\ncpu time=1 1500000000000000000", GROUPS, id="two-groups"),
    pytest.param(b"cpu,time=a v=1 1\ncpu time=1 2", None, id="one-group"),
])
def test_refusals_in_several_shard_groups(body: bytes, reason: str | None) -> None:
    theirs, ours = refused(f"{TIME_TAG} dropped=1"), refused(f"{TIME_TAG} dropped=2")
    assert explain([Batch(body, "")], [theirs, stored()], [ours, stored()]) == reason


def test_a_type_per_shard_behind_another_refusal() -> None:
    # The gateway names the `time` tag first; its second refusal, a type conflict with a
    # point in another shard group, shows only in `dropped=`.
    batches = [Batch(b"cpu v=1 1\ncpu,time=a v=1 2\ncpu v=1i 1500000000000000000", "")]
    theirs = stored(("cpu", ["time", "v"], [[1, 1.0], [1500000000000000000, 1]]),
                    fields={"cpu": [["v", "float"], ["v", "integer"]]})
    hidden = [refused(f"{TIME_TAG} dropped=1"), theirs]
    assert explain(batches, hidden, [refused(f"{TIME_TAG} dropped=2"), CPU]) == SHARDS
    # ... but not when the count differs by more than the points the gateway did not keep
    assert explain(batches, hidden, [refused(f"{TIME_TAG} dropped=3"), CPU]) is None
    # ... and the same when the body is sent again and answered as before on both sides
    again = [*batches, batches[0]]
    twice = [refused(f"{TIME_TAG} dropped=1"), refused(f"{TIME_TAG} dropped=1"), theirs]
    mine = [refused(f"{TIME_TAG} dropped=2"), refused(f"{TIME_TAG} dropped=2"), CPU]
    assert explain(again, twice, mine) == SHARDS
    # ... but not when the second answer differs otherwise, or another body was sent
    assert explain(again, twice, [mine[0], refused(f"{TIME_TAG} dropped=3"), CPU]) is None
    assert explain([*batches, Batch(b"cpu v=2 1", "")], twice, mine) is None
    # ... nor when the gateway lost a point of a measurement whose fields have one type
    other = stored(("cpu", ["time", "v"], [[1, 1.0]]), ("mem", ["time", "w"], [[1, 1.0]]),
                   fields={"cpu": [["v", "float"], ["v", "integer"]], "mem": [["w", "float"]]})
    assert explain(batches, [refused(f"{TIME_TAG} dropped=1"), other],
                   [refused(f"{TIME_TAG} dropped=2"), CPU]) is None


def test_a_type_per_shard_behind_another_refusal_sent_on_two_lines() -> None:
    # 118-65: a flush sends one point on two lines; the gateway refuses, and counts, both
    body = b"cpu v=1 1\ncpu,time=a v=1 2\ncpu v=1i 1500000000000000000\n"
    batches = [Batch(body + b"cpu v=1i 1500000000000000000", "")]
    theirs = stored(("cpu", ["time", "v"], [[1, 1.0], [1500000000000000000, 1]]),
                    fields={"cpu": [["v", "float"], ["v", "integer"]]})
    hidden = [refused(f"{TIME_TAG} dropped=1"), theirs]
    assert explain(batches, hidden, [refused(f"{TIME_TAG} dropped=3"), CPU]) == SHARDS
    assert explain(batches, hidden, [refused(f"{TIME_TAG} dropped=4"), CPU]) is None


def test_refusals_in_several_groups_with_a_type_left_by_a_refused_point() -> None:
    # 23-189: each group refuses one point; the week-0 point, refused for giving `s` two
    # types, leaves `s` string in its group. 1.6.7 names either group's refusal.
    batches = [Batch(b'cpu s=1i\nmem v=1,v="x"\ncpu s="x",s=1i 1500000000000', "")]
    rows = stored(("cpu", ["time", "s"], [["now", 1]]), fields={"cpu": [["s", "integer"]]})
    theirs = stored(("cpu", ["time", "s"], [["now", 1]]),
                    fields={"cpu": [["s", "integer"], ["s", "string"]],
                            "mem": [["v", "float"]]})
    mem = ('partial write: field type conflict: input field "v" on measurement "mem" is type '
           "string, already exists as type float")
    cpu = ('partial write: field type conflict: input field "s" on measurement "cpu" is type '
           "integer, already exists as type string")
    ours = [refused(f"{mem} dropped=2"), rows]
    for named in (mem, cpu):
        assert explain(batches, [refused(f"{named} dropped=1"), theirs], ours) == GROUPS
    # ... but not when a stored row differs beside the type
    other = stored(("cpu", ["time", "s"], [["now", 2]]),
                   fields={"cpu": [["s", "integer"], ["s", "string"]]})
    assert explain(batches, [refused(f"{cpu} dropped=1"), other], ours) is None


def test_a_type_per_shard_hiding_a_point_from_select() -> None:
    # 51-117: `f` is boolean in 2017's group and float in week -1's; 1.6.7's SELECT * shows
    # the float values only, so the boolean point (no other field) is not shown at all.
    batches = [Batch(b"cpu f=F 1500000000000000000", ""),
               Batch(b"cpu,time=a f=1 1\ncpu f=1 -1", "")]
    theirs = stored(("cpu", ["time", "f"], [[-1, 1]]),
                    fields={"cpu": [["f", "boolean"], ["f", "float"]]})
    ours = stored(("cpu", ["time", "f"], [[1500000000000000000, False]]),
                  fields={"cpu": [["f", "boolean"]]})
    assert explain(batches, [OK, refused(f"{TIME_TAG} dropped=1"), theirs],
                   [OK, refused(f"{TIME_TAG} dropped=2"), ours]) == SHARDS
    # ... but a point with another field 1.6.7 does not show is not explained
    other = stored(("cpu", ["time", "f", "g"], [[1500000000000000000, False, 1]]),
                   fields={"cpu": [["f", "boolean"], ["g", "float"]]})
    assert explain(batches, [OK, refused(f"{TIME_TAG} dropped=1"), theirs],
                   [OK, refused(f"{TIME_TAG} dropped=2"), other]) is None


def test_a_type_kept_from_a_refused_point() -> None:
    # 63-117: `n=1i,n=F` is refused by both, but 1.6.7 keeps integer for `n` in the point's
    # shard group, so the later `n=F` of that group is refused there and stored here
    said = ('partial write: field type conflict: input field "n" on measurement "m" is type '
            "boolean, already exists as type integer dropped={}")
    first = Batch(b"m x=1 1", "")
    batches = [first, Batch(b"m n=1i,n=F 1\nm n=F 2", "")]
    theirs = [OK, refused(said.format(2)),
              stored(("m", ["time", "n", "x"], [[1, None, 1]]),
                     fields={"m": [["n", "integer"], ["x", "float"]]})]
    ours = [OK, refused(said.format(1)),
            stored(("m", ["time", "n", "x"], [[1, None, 1], [2, False, None]]),
                   fields={"m": [["n", "boolean"], ["x", "float"]]})]
    assert explain(batches, theirs, ours) == KEPT_TYPE
    # ... and in a later write, where the gateway answers 204
    later = [first, Batch(b"m n=1i,n=F 1", ""), Batch(b"m n=F 2", "")]
    assert explain(later, [OK, refused(said.format(1)), refused(said.format(1)), theirs[2]],
                   [OK, refused(said.format(1)), OK, ours[2]]) == KEPT_TYPE
    # not without a point naming the field twice
    other = [first, Batch(b"m n=1i,w=F 1\nm n=F 2", "")]
    assert explain(other, theirs, ours) is None
    # nor when the later point is in another shard group
    apart = [first, Batch(b"m n=1i,n=F 1\nm n=F 1500000000000000000", "")]
    far = stored(("m", ["time", "n", "x"], [[1, None, 1], [1500000000000000000, False, None]]),
                 fields={"m": [["n", "boolean"], ["x", "float"]]})
    assert explain(apart, theirs, [OK, refused(said.format(1)), far]) is None
    # nor when 1.6.7 refused more points than meet the kept type
    assert explain(batches, [OK, refused(said.format(3)), theirs[2]], ours) is None
    # nor when a stored row differs beside them
    wrong = stored(("m", ["time", "n", "x"], [[1, None, 2], [2, False, None]]),
                   fields={"m": [["n", "boolean"], ["x", "float"]]})
    assert explain(batches, theirs, [OK, refused(said.format(1)), wrong]) is None


def test_a_type_kept_from_a_refused_point_refuses_the_columns_of_a_later_one() -> None:
    # 113-313: the later point refused by 1.6.7 alone brings a tag and a field that no other
    # point has; 1.6.7 has neither, the gateway both, in the same measurement
    said = ('partial write: field type conflict: input field "n" on measurement "m" is type '
            "boolean, already exists as type integer dropped=1")
    batches = [Batch(b"m x=1 1\nm n=1i,n=F 1", ""), Batch(b"m,t=a n=F,s=\"x\" 2", "")]
    theirs = [refused(said), refused(said),
              stored(("m", ["time", "n", "x"], [[1, None, 1]]),
                     fields={"m": [["n", "integer"], ["x", "float"]]})]
    mine = stored(("m", ["time", "n", "s", "t", "x"], [[1, None, None, None, 1],
                                                       [2, False, "x", "a", None]]),
                  fields={"m": [["n", "boolean"], ["s", "string"], ["x", "float"]]})
    assert explain(batches, theirs, [refused(said), OK, mine]) == KEPT_TYPE
    # ... but not where another row holds a value of such a column
    more = stored(("m", ["time", "n", "s", "t", "x"], [[1, None, "y", None, 1],
                                                       [2, False, "x", "a", None]]),
                  fields={"m": [["n", "boolean"], ["s", "string"], ["x", "float"]]})
    assert explain(batches, theirs, [refused(said), OK, more]) is None


def test_a_type_per_shard_whose_points_select_hides_after_a_refusal() -> None:
    # 70-283: `v` is float in week 2's group and boolean in week 0's, whose point SELECT *
    # does not show; with a refusal in the case, the boolean is not taken for a leftover of it
    said = refused("partial write: unable to parse 'bad': missing fields dropped=0")
    batches = [Batch(b"cpu v=1 1500000000000000\nbad", ""), Batch(b"cpu,k=a v=T 0", "m")]
    theirs = stored(("cpu", ["time", "k", "v"], [[1500000000000000, None, 1]]),
                    fields={"cpu": [["v", "boolean"], ["v", "float"]]})
    ours = stored(("cpu", ["time", "v"], [[1500000000000000, 1]]), fields={"cpu": [["v", "float"]]})
    conflict = refused('partial write: field type conflict: input field "v" on measurement "cpu" '
                       "is type boolean, already exists as type float dropped=1")
    assert explain(batches, [said, OK, theirs], [said, conflict, ours]) == SHARDS
    # ... but not where 1.6.7 lists one type
    one = stored(("cpu", ["time", "k", "v"], [[1500000000000000, None, 1]]),
                 fields={"cpu": [["v", "float"]]})
    assert explain(batches, [said, OK, one], [said, conflict, ours]) is None


@pytest.mark.parametrize(("cut", "reason"), [
    pytest.param(" \xc2", HEADER_CUT, id="blank-then-a-cut-character"),
    pytest.param("\xc2", HEADER_CUT, id="a-cut-character"),
    pytest.param(" x", None, id="blank-then-a-whole-character"),
])
def test_a_header_cut_inside_a_character(cut: str, reason: str | None) -> None:
    # 74-282: the gateway's header stops before the character 1,024 bytes cut, and the
    # reader strips the blank left at its end
    body = json.dumps({"error": "e"})
    theirs = (400, "e" * (1024 - len(cut)) + cut, body)
    ours = (400, "e" * (1024 - len(cut)), body)
    assert explain([Batch(b"cpu v=1 1", "")], [theirs, CPU], [ours, CPU]) == reason


def answer(message: str) -> tuple[int, str, str]:
    """A 400 as 1.6.7 sends it: Go's JSON body, and the header with CR and LF as spaces."""
    return (400, message.replace("\r", " ").replace("\n", " "),
            json.dumps({"error": message}, separators=(",", ":")) + "\n")


@pytest.mark.parametrize(("named", "mine", "reason"), [
    pytest.param("'cpu v=x\r'", "'cpu v=x'", CRLF, id="a-named-line-ending-in-cr"),
    pytest.param("'a\r\nb=x\r'", "'a\r\nb=x'", CRLF, id="a-cr-inside-it-stays"),
    pytest.param("'cpu v=x\r'", "'cpu v=y'", None, id="another-difference"),
    pytest.param("'cpu v=x\\r'", "'cpu v=x\\'", None, id="an-escaped-backslash-then-r"),
    pytest.param("'cpu v=x \r'", "'cpu v=x  '", None, id="a-cr-read-as-a-space"),
])
def test_a_line_named_without_its_carriage_return(named: str, mine: str,
                                                  reason: str | None) -> None:
    # 136-54: 1.6.7 names a line `...\r` (a CR before a newline outside a string as its
    # splitter reads it), the gateway, which reads CRLF as a line ending, without the CR
    said = "partial write: unable to parse {}: invalid boolean dropped=0"
    batches = [Batch(b"ok v=1 1\ncpu v=x\r\n", "")]
    assert explain(batches, [answer(said.format(named)), CPU],
                   [answer(said.format(mine)), CPU]) == reason


def test_existing_shard_written_again() -> None:
    """A field new to an existing shard group given two types: 1.6.7 names the conflict
    of its second pass and counts that pass's refusals."""
    batches = [Batch(b'cpu u="s" 0', ""),
               Batch(b"cpu u=1.5 0\ncpu,h=b t=47i 0\ncpu,h=b t=45.5 0\ncpu,h=a v=1 0", "")]
    theirs_said = ('partial write: field type conflict: input field "t" on measurement "cpu" '
                   "is type float, already exists as type integer dropped=1")
    ours_said = ('partial write: field type conflict: input field "u" on measurement "cpu" '
                 "is type float, already exists as type string dropped=2")
    after = stored(("cpu", ["time", "t", "u"], [[0, 47, None], [0, None, "s"]]),
                   fields={"cpu": [["t", "integer"], ["u", "string"]]})
    theirs, ours = [OK, refused(theirs_said), after], [OK, refused(ours_said), after]
    assert explain(batches, theirs, ours) == RETRY
    # ... not where the field was in the shard group before the body
    earlier = [Batch(b'cpu u="s",t=1i 0', ""), batches[1]]
    assert explain(earlier, theirs, ours) is None
    # ... nor where the body gives it one type only
    one = [batches[0], Batch(b"cpu u=1.5 0\ncpu,h=b t=47i 0\ncpu,h=a v=1 0", "")]
    assert explain(one, theirs, ours) is None
    # ... nor where what was stored differs too
    other = stored(("cpu", ["time", "t", "u"], [[0, 45.5, None], [0, None, "s"]]),
                   fields={"cpu": [["t", "integer"], ["u", "string"]]})
    assert explain(batches, theirs, [OK, refused(ours_said), other]) is None


def test_existing_shard_written_again_refuses_a_type_of_its_first_pass() -> None:
    """166-172: 1.6.7's first pass creates `b` as an integer from the point whose `a` then
    fails it, so its second pass refuses that point and `cpu b=t 2` too; the gateway stores
    the latter. Answers as both servers gave them."""
    batches = [Batch(b"mem v=1 0", ""), Batch(b"cpu a=1i 0\ncpu b=1i,a=1.5 1\ncpu b=t 2", "")]
    said = ('partial write: field type conflict: input field "a" on measurement "cpu" is '
            "type float, already exists as type integer dropped={}")
    mem = ("mem", ["time", "v"], [[0, 1.0]])
    theirs = [OK, refused(said.format(2)),
              stored(("cpu", ["time", "a", "b"], [[0, 1, None]]), mem,
                     fields={"cpu": [["a", "integer"], ["b", "integer"]], "mem": [["v", "float"]]})]
    ours = [OK, refused(said.format(1)),
            stored(("cpu", ["time", "a", "b"], [[0, 1, None], [2, None, True]]), mem,
                   fields={"cpu": [["a", "integer"], ["b", "boolean"]], "mem": [["v", "float"]]})]
    assert explain(batches, theirs, ours) == RETRY
    # ... not where `b` comes after `a` in that point: the first pass never created it
    after = [batches[0], Batch(b"cpu a=1i 0\ncpu a=1.5,b=1i 1\ncpu b=t 2", "")]
    assert explain(after, theirs, ours) is None
    # ... nor where 1.6.7 refused more points than those
    assert explain(batches, [OK, refused(said.format(3)), theirs[2]], ours) is None
    # ... nor where what was stored differs in another point too
    other = stored(("cpu", ["time", "a", "b"], [[0, 2, None], [2, None, True]]), mem,
                   fields={"cpu": [["a", "integer"], ["b", "boolean"]], "mem": [["v", "float"]]})
    assert explain(batches, theirs, [*ours[:2], other]) is None


def test_existing_shard_written_again_then_text_after_a_quote() -> None:
    """139-114: 1.6.7 answers one body from its second pass, then stores a later body's line
    with text after a closing quote that the gateway refuses; each deviation accounts for
    its own step."""
    batches = [Batch(b'cpu u="s" 0', ""),
               Batch(b"cpu u=1.5 0\ncpu,h=b t=47i 0\ncpu,h=b t=45.5 0\ncpu,h=a v=1 0", ""),
               Batch(b'mem s="a"b 1', "")]
    theirs_said = ('partial write: field type conflict: input field "t" on measurement "cpu" '
                   "is type float, already exists as type integer dropped=1")
    ours_said = ('partial write: field type conflict: input field "u" on measurement "cpu" '
                 "is type float, already exists as type string dropped=2")
    cpu = ("cpu", ["time", "t", "u"], [[0, 47, None], [0, None, "s"]])
    fields = {"cpu": [["t", "integer"], ["u", "string"]]}
    theirs = [OK, refused(theirs_said), OK,
              stored(cpu, ("mem", ["time", "s"], [[1, 'a"b']]),
                     fields={**fields, "mem": [["s", "string"]]})]
    quote = refused("unable to parse 'mem s=\"a\"b 1': invalid field format")
    ours = [OK, refused(ours_said), quote, stored(cpu, fields=fields)]
    assert explain(batches, theirs, ours) == f"{RETRY}; {QUOTE}"
    # each alone as before
    assert explain(batches, [*theirs[:2], quote, ours[3]], ours) == RETRY
    assert explain(batches, [*ours[:2], *theirs[2:]], ours) == QUOTE
    # ... but not where the later body has no text after its quote
    plain = [*batches[:2], Batch(b'mem s="a",b=1 1', "")]
    assert explain(plain, theirs, ours) is None
    # ... nor where the first step is not a second pass's answer (the field was there)
    earlier = [Batch(b'cpu u="s",t=1i 0', ""), *batches[1:]]
    assert explain(earlier, theirs, ours) is None


def test_a_type_per_shard_then_text_after_a_quote() -> None:
    """151-178: the first body's type conflict across shard groups shows only in its count
    (SHARDS, behind the `time` tag), a later body's line with text after a quote is stored by
    1.6.7 (QUOTE) in the same measurement; without that line's row the rest is SHARDS'."""
    batches = [Batch(b'cpu,time=a v=1 1\ncpu n=1.5\ncpu n="x",w=1 -3600000000000', ""),
               Batch(b'cpu,t=a s="q"x 1', "")]
    columns = ["time", "n", "s", "t", "w"]
    rows = [[-3600000000000, None, None, None, 1.0], ["now", 1.5, None, None, None],
            [1, None, 'q"x', "a", None]]
    fields = {"cpu": [["n", "float"], ["n", "string"], ["s", "string"], ["w", "float"]]}
    theirs = [refused(f"{TIME_TAG} dropped=1"), OK, stored(("cpu", columns, rows), fields=fields)]
    ours = [refused(f"{TIME_TAG} dropped=2"),
            refused("unable to parse 'cpu,t=a s=\"q\"x 1': invalid field format"),
            stored(("cpu", ["time", "n"], [["now", 1.5]]), fields={"cpu": [["n", "float"]]})]
    assert explain(batches, theirs, ours) == f"{SHARDS}; {QUOTE}"
    # ... not where the later line has no text after its quote
    plain = [batches[0], Batch(b'cpu,t=a s="q",x=1 1', "")]
    assert explain(plain, theirs, ours) is None
    # ... nor where 1.6.7 stored a row the quoted line did not give it
    other = stored(("cpu", columns, rows), ("mem", ["time", "t", "s"], [[1, "a", 'q"x']]),
                   fields={**fields, "mem": [["s", "string"]]})
    assert explain(batches, [*theirs[:2], other], ours) is None
    # ... nor where the later answer differs otherwise too
    more = refused("unable to parse 'cpu,t=a s=\"q\"x 1': invalid field format\n"
                   "unable to parse 'x': missing fields")
    assert explain(batches, theirs, [ours[0], more, ours[2]]) is None


def test_existing_shard_written_again_after_a_point_naming_the_field_twice() -> None:
    """The new field's two types in one point (fuzz 101-106): 1.6.7's second pass refuses that
    point as the first left it twice in its list, so it names that conflict, not the `time`
    tag the first pass refused."""
    batches = [Batch(b"mem v=1 1500000000000", ""),
               Batch(b"cpu v=1 1000\ncpu,time=1 v=1 1000\ncpu w=1 12000\n"
                     b"disk v=-1.5,v=-0i 12000", "")]
    theirs_said = ('partial write: field type conflict: input field "v" on measurement "disk" '
                   "is type integer, already exists as type float dropped=2")
    after = stored(("cpu", ["time", "v", "w"], [[1000, 1.0, None], [12000, None, 1.0]]),
                   ("mem", ["time", "v"], [[1500000000000, 1.0]]),
                   fields={"cpu": [["v", "float"], ["w", "float"]], "mem": [["v", "float"]]})
    ours = [OK, refused(f"{TIME_TAG} dropped=2"), after]
    assert explain(batches, [OK, refused(theirs_said), after], ours) == RETRY
    # ... not where the point gives the field one type only
    once = [batches[0], Batch(batches[1].body.replace(b",v=-0i", b""), "")]
    assert explain(once, [OK, refused(theirs_said), after], ours) is None
    # ... nor where its types come the other way round from the named conflict
    turned = [batches[0], Batch(batches[1].body.replace(b"v=-1.5,v=-0i", b"v=-0i,v=-1.5"), "")]
    assert explain(turned, [OK, refused(theirs_said), after], ours) is None
    # ... nor where the body makes the shard group (1.6.7 has no second pass then)
    elsewhere = [Batch(b"mem v=1 1500000000000000000", ""), batches[1]]
    assert explain(elsewhere, [OK, refused(theirs_said), after], ours) is None


def test_refusals_in_several_groups_beside_a_type_per_shard() -> None:
    """107-283: 1.6.7 names the `now` group's conflict and stores the week -1 point whose
    field is new to that group's shard; the gateway names the `time` tag and counts all."""
    batches = [Batch(b'cpu v="s"', ""),
               Batch(b"mem,time=a w=1 -60000000000\ncpu v=2\ncpu v=3 -60000000000", "")]
    conflict = ('partial write: field type conflict: input field "v" on measurement "cpu" is '
                "type float, already exists as type string dropped=1")
    theirs = [OK, refused(conflict),
              stored(("cpu", ["time", "v"], [[-60000000000, 3]]),
                     fields={"cpu": [["v", "float"], ["v", "string"]]})]
    mine = stored(("cpu", ["time", "v"], [["now", "s"]]), fields={"cpu": [["v", "string"]]})
    ours = [OK, refused('partial write: invalid tag key: input tag "time" on measurement '
                        '"mem" is invalid dropped=3'), mine]
    assert explain(batches, theirs, ours) == f"{GROUPS}; {SHARDS}"
    # ... as where 1.6.7 names the other group's refusal
    tag = refused('partial write: invalid tag key: input tag "time" on measurement "mem" is '
                  "invalid dropped=1")
    assert explain(batches, [OK, tag, theirs[2]], ours) == f"{GROUPS}; {SHARDS}"
    # ... but not where the gateway counts more refusals than the body's other lines hold
    assert explain(batches, theirs, [OK, refused(ours[1][1].replace("=3", "=4")), mine]) is None
    # ... nor where the body's points fall in one shard group
    one = [batches[0], Batch(b"mem,time=a w=1\ncpu v=2\ncpu v=3", "")]
    assert explain(one, theirs, ours) is None
    # ... nor where another measurement's rows differ too
    more = stored(("cpu", ["time", "v"], [["now", "s"]]), ("mem", ["time", "w"], [[1, 1.0]]),
                  fields={"cpu": [["v", "string"]], "mem": [["w", "float"]]})
    assert explain(batches, theirs, [*ours[:2], more]) is None
    # ... nor where the gateway counts no more refusals than the points 1.6.7 kept
    two = refused('partial write: invalid tag key: input tag "time" on measurement "mem" is '
                  "invalid dropped=1")
    assert explain(batches, theirs, [OK, two, mine]) is None
    # ... nor where 1.6.7 kept a point of the field's first type the gateway lost
    kept = stored(("cpu", ["time", "v"], [[-60000000000, 3], [5, "t"]]),
                  fields={"cpu": [["v", "float"], ["v", "string"]]})
    assert explain(batches, [*theirs[:2], kept], ours) is None
