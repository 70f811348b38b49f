"""v1 /write against a real InfluxDB 1.6.7: the same bodies, the same answers.

Every case runs in a fresh database on both servers. Deliberate deviations (README) are
pinned with both servers' answers, so a change on either side shows up here.
"""

from __future__ import annotations

import json

import pytest

from tests.oracle.write_support import (
    both,
    create,
    fresh_database,
    gateway_rows,
    influx_rows,
    post,
    post_as,
    select_all,
)
from tests.support.gateway_process import GatewayProcess
from tests.support.influxd import Influxd

pytestmark = pytest.mark.slow


SAME = [
    pytest.param(b"cpu,host=a usage=1.5 1", "cpu", id="good"),
    pytest.param(b"cpu,host=a usage=", "cpu", id="missing-field-value"),
    pytest.param(b"ok v=1 1\ncpu,host=c usage=abc 2\nok v=2 3", "ok", id="partial"),
    pytest.param(b"cpu v= 2\ncpu v=x 3\nok v=1 1", "ok", id="several-bad-lines"),
    pytest.param(b"lp,time=1 v=1 1", "lp", id="tag-named-time"),
    pytest.param(b"lp time=1 1", "lp", id="field-named-time"),
    pytest.param(b"lp time=1,v=2 1", "lp", id="field-named-time-beside-another"),
    pytest.param(b"lp time=1,time=2 1", "lp", id="two-fields-named-time"),
    pytest.param(b"lp time=1,time=2i 1\nlp s=1i,time=-1,time=t 2\nok v=1 1", "lp",
                 id="two-fields-named-time-of-two-types"),
    pytest.param(b"ok v=1 1\nlp,time=1 v=1 2", "ok", id="time-tag-among-good"),
    pytest.param(b"ok v=1 1\nlp,time=a time=1,v=2 2\nlp,time=b time=1 3", "ok",
                 id="time-tag-and-time-field"),
    pytest.param(b"cpu,a=1,a=2 v=1", "cpu", id="duplicate-tags"),
    # 1.x reads a whole line before it judges it: the tag set's syntax before duplicate
    # keys, the timestamp's range before what follows it, all of it before a `time` key
    pytest.param(b"cpu,a=1,a=2,b=x=y v=1", "cpu", id="duplicate-tags-then-bad-tag"),
    pytest.param(b"cpu,a=1,a=2,=x v=1", "cpu", id="duplicate-tags-then-empty-key"),
    pytest.param(b"cpu,a=1,a=2 v=x", "cpu", id="duplicate-tags-then-bad-value"),
    pytest.param(b"cpu,a=1,a=2", "cpu", id="duplicate-tags-without-fields"),
    pytest.param(b"cpu, v=1", "cpu", id="comma-space-after-measurement"),
    pytest.param(b"cpu,a=1, v=1", "cpu", id="comma-space-after-tags"),
    pytest.param(b"cpu,a=1,", "cpu", id="comma-ends-the-line"),
    pytest.param(b"cpu v=1 9223372036854775807 2", "cpu", id="out-of-range-then-garbage"),
    pytest.param(b"cpu v=1 99999999999999999999 2", "cpu", id="overflow-then-garbage"),
    pytest.param(b"cpu,time=1 v=1 9223372036854775807", "cpu", id="time-tag-out-of-range"),
    pytest.param(b"cpu time=1 1x", "cpu", id="time-field-bad-timestamp"),
    pytest.param(b"ok v=1 1\ncpu time=1 1 2", "ok", id="time-field-then-garbage"),
    pytest.param(b"cpu v=NaN", "cpu", id="nan"),
    pytest.param(b"cpu v=inf", "cpu", id="inf"),
    pytest.param(b"cpu v=abc", "cpu", id="bare-word"),
    pytest.param(b"cpu v=9223372036854775808i", "cpu", id="int-overflow"),
    pytest.param(b"cpu v=-9223372036854775808i 1", "cpu", id="int-min"),
    pytest.param(b"cpu v=1 9223372036854775808", "cpu", id="timestamp-overflow"),
    pytest.param(b"cpu v=1 -1000", "cpu", id="negative-timestamp"),
    # 1.x reserves both ends of int64 (models.MinNanoTime, MaxNanoTime)
    pytest.param(b"cpu v=1 -9223372036854775808", "cpu", id="int64-min-timestamp"),
    pytest.param(b"cpu v=1 -9223372036854775807", "cpu", id="int64-min-plus-one-timestamp"),
    pytest.param(b"cpu v=1 9223372036854775807", "cpu", id="int64-max-timestamp"),
    pytest.param(b"cpu v=1 -9223372036854775806\ncpu v=2 9223372036854775806", "cpu",
                 id="timestamp-range-ends"),
    pytest.param(b"ok v=1 1\ncpu v=2 9223372036854775807\nok v=3 3", "ok",
                 id="int64-max-timestamp-among-good"),
    pytest.param(b"cpu v=1 1 2", "cpu", id="trailing-garbage"),
    # a carriage return ends a line (README: CRLF), never a timestamp
    pytest.param(b'ok v=1 1\ncpu v=1 \rx 5\ncpu v=2 5\r,\ncpu v="a" \r,\ncpu s="a\nb" \rx',
                 "ok", id="carriage-return-inside-a-line"),
    pytest.param(b"cpu v=1 -\ncpu v=1 - 2\nok v=1 1", "ok", id="timestamp-minus"),
    pytest.param(b"cpu,host v=1", "cpu", id="tag-without-value"),
    pytest.param(b"cpu,host= v=1", "cpu", id="empty-tag-value"),
    pytest.param(b"cpu,=a v=1", "cpu", id="empty-tag-key"),
    pytest.param(b"cpu", "cpu", id="no-fields"),
    pytest.param(b"cpu ", "cpu", id="no-fields-space"),
    pytest.param(b",host=a v=1", "cpu", id="no-measurement"),
    pytest.param(b"cpu =1", "cpu", id="empty-field-key"),
    pytest.param(b"cpu v", "cpu", id="field-without-equals"),
    pytest.param(b"cpu v=1x", "cpu", id="bad-number"),
    pytest.param(b"cpu v=+1", "cpu", id="plus-sign"),
    pytest.param(b'cpu v="open', "cpu", id="unbalanced-quotes"),
    pytest.param(b"cpu v=1 12a", "cpu", id="bad-timestamp"),
    pytest.param(b"cpu v=-1u", "cpu", id="negative-unsigned"),
    pytest.param(b"cpu v=1e400", "cpu", id="float-overflow"),
    pytest.param(b"cpu v=.", "cpu", id="dot"),
    pytest.param(b"cpu v=1.5.5", "cpu", id="two-dots"),
    pytest.param(b"cpu v=1ee2\ncpu v=1e\ncpu v=-e 1\ncpu v=1e+-5\ncpu v=1e5.5\ncpu v=1-e",
                 "cpu", id="scanned-as-floats"),
    pytest.param(b"", "cpu", id="empty"),
    # Go's encoding/json: other alphabets as they are, HTML characters escaped
    pytest.param("cpu,h=ü v=ü".encode(), "cpu", id="non-ascii-in-error"),
    pytest.param(b"cpu v=<&>\xe2\x80\xa8", "cpu", id="html-characters-in-error"),
    pytest.param(b"\n\n", "cpu", id="blank-lines"),
    pytest.param(b"# only a comment\n", "cpu", id="comment"),
    pytest.param(b" cpu v=1 1\n\ncpu v=2 2\n", "cpu", id="cli-leading-space-blank-lines"),
    pytest.param(b"cpu v=1,v=2 5", "cpu", id="duplicate-field"),
    pytest.param(b'm s="a \\"q\\" \\\\ b",t=T,f=FALSE,i=3i 1', "m", id="strings-bools"),
    pytest.param(b"c\\,p\\ u,h\\ o=a\\,b f=1 1", "c,p u", id="escapes"),
    pytest.param(b"cpu v=1e21,w=-0.0,x=.5,y=1. 1", "cpu", id="float-forms"),
    pytest.param(b"cpu,t=a=b v=1 1", "cpu", id="bare-equals-in-tag-value"),
    pytest.param(b"cpu,t==b v=1 1", "cpu", id="tag-value-starting-with-equals"),
    pytest.param(b"cpu,t=C:\\\\,u=v f=1 1", "cpu", id="backslash-before-escaped-comma"),
    pytest.param(b"cpu,t=C:\\\\ f=1 1", "cpu", id="backslash-before-escaped-space"),
    pytest.param(b'cpu s="a\nb" 1\ncpu s="c\r\n" 2', "cpu", id="newline-in-string"),
    pytest.param(b'cpu s="open\ncpu v=1 2', "cpu", id="unclosed-string-takes-the-rest"),
    # 1.x's line splitter opens a string at a quote after the first space wherever more `=`
    # than `,` came before it: after a space in a tag value, in a bare value, in a comment
    pytest.param(b'cpu,t=a b s="x\ny" 1\ncpu,t=a b=1,s="x\ncpu v=1 1\n"\nok v=1 1', "cpu",
                 id="string-after-space-in-tag-value"),
    pytest.param(b'cpu v=1"x\ncpu v=2 2\n"\nok v=1 1', "cpu", id="quote-in-bare-value"),
    pytest.param(b'# a=1 "x\ncpu v=1 1\n"\nok v=2 2', "cpu", id="quote-in-comment"),
    pytest.param(b'cpu s="open,v=t 1\ncpu,h=u  f=1,g="u" -1\nok v=1 1\nok v=2 2', "ok",
                 id="string-closed-then-reopened"),
    # ... from the line's first space: a leading one makes it count the tags' separators too
    pytest.param(b' , n=1,s="a\nb" 1\nok v=1 1', "ok", id="leading-space-comma-then-string"),
    pytest.param(b' , s="a=b"\nok v=1 1\n"\nok v=2 2', "ok",
                 id="leading-space-string-opened-late"),
    pytest.param(b' cpu,t=1 s="a\nb" 1\nok v=1 1', "cpu", id="leading-space-string-spans"),
    # ... and skips `\\` as a pair, so a separator after it is bare
    pytest.param(b'cpu,t=a\\\\ b,c s="x\nok v=1 1\nok v=2 2"\nok v=3 3', "ok",
                 id="escaped-backslash-before-space-then-string"),
    pytest.param(b'cpu a==x,b\\\\="1= 1\nok v=1 1\nok v=2 2', "ok",
                 id="escaped-backslash-before-equals-then-string"),
    # ... and opens or closes a string at any quote while more `=` than `,` came before it
    pytest.param(b'cpu ==,"att="\n\nok v=1 1\nok w=2 2', "ok", id="quote-opening-a-key"),
    pytest.param(b'cpu v=-=a#,"#i#"1"-\\i=\nok v=1 1\nok w=2 2', "ok",
                 id="quotes-in-a-key-then-an-open-one"),
    pytest.param(b'cpu s="a\n#",f\\\\="b\nc"=1\nok v=1 1\ncpu s="a\n#",f\\\\="b\n#c"=1 5', "ok",
                 id="hash-beginning-lines-inside-a-refused-point"),
    pytest.param(b"cpu v=1 1x 2", "cpu", id="bad-timestamp-then-garbage"),
    # ... and reads the timestamp after it before reading a value (fuzz 60-239), but walks
    # the keys first
    pytest.param(b'cpu v=1,s="open 5\ncpu s="a b" 6\n"\nok v=1 9', "ok",
                 id="string-closed-by-the-next-line-then-bad-timestamp"),
    pytest.param(b'cpu v="a"b 1x\ncpu v="a"b 1 2\ncpu f\\\\=1 1x\nok v=1 1', "ok",
                 id="text-after-string-then-bad-timestamp"),
    # 1.x scans a field set whole (to the first space outside a string) before reading it
    pytest.param(b"cpu v=1,\ncpu v=1, 1\ncpu ,v=1\nok v=1 1", "ok", id="comma-around-fields"),
    pytest.param(b"cpu,t=a b,c=x v=1\ncpu,t=a b,c=1 v=1", "cpu", id="space-in-tag-value"),
    pytest.param(b'cpu v="a\\\\"= 1\ncpu v=1,,w=x\ncpu v=n', "cpu", id="field-set-scan"),
    # A field key ending in an escaped backslash: 1.x's scanner ends the key at the `=`, its
    # reader takes that `=` as escaped.
    pytest.param(b"cpu f\\\\=1", "cpu", id="escaped-backslash-before-field-equals"),
    pytest.param(b"cpu a=1,f\\\\=1 5", "cpu", id="escaped-backslash-before-last-field-equals"),
    pytest.param(b'cpu f\\\\="s",g\\\\=2i 5', "cpu", id="escaped-backslashes-in-two-keys"),
    pytest.param(b"cpu f\\\\=x", "cpu", id="escaped-backslash-then-bad-value"),
    pytest.param(b"cpu f\\\\\\=1 5", "cpu", id="escaped-backslash-then-escaped-equals"),
    # ... and its scanner takes `\\` then a bare comma or space in a key as a separator
    pytest.param(b"cpu f=1,g\\\\,y=2 7\ncpu g\\\\ y=2 7\ncpu g\\\\\\,y=2 7\nok v=1 1", "cpu",
                 id="escaped-backslash-before-separator-in-field-key"),
    # ... and `\\=` then the value its scan checks (`b=1` is not a boolean)
    pytest.param(b"cpu a\\\\=b=1 1\ncpu \\\\=b=1 2\ncpu v=1,a\\\\\\\\=t=2 3\nok v=1 1", "cpu",
                 id="escaped-backslash-before-field-equals-then-bad-value"),
    # A backslash escapes the newline after it (1.x's line splitter skips both bytes).
    pytest.param(b"cpu,t=a\\\nb v=1 1\nok v=1 2", "cpu", id="escaped-newline-in-tag-value"),
    pytest.param(b"cpu v=1 1\\\ncpu v=2 2\nok v=1 3", "cpu",
                 id="escaped-newline-after-timestamp"),
    pytest.param(b"cpu v=1\\\n 1", "cpu", id="escaped-newline-after-value"),
    pytest.param(b'cpu s="x",v=1\\\n,w=2 3', "cpu", id="escaped-newline-after-string"),
    pytest.param(b"cpu v=1 1\\\n\\\ncpu v=2 2", "cpu", id="escaped-newlines-in-a-row"),
    pytest.param(b"cpu,t=a\\\\\ncpu v=1 1", "cpu", id="even-backslashes-escape-nothing"),
    pytest.param(b"cpu v=1 1\ncpu a=1 2\\\n\nbad\n", "cpu",
                 id="escaped-newline-before-empty-line"),
    pytest.param(b"cpu v=1 1\\\n", "cpu", id="escaped-newline-ends-the-body"),
    # ... and its timestamp scanner stops at a newline too: nothing before it, no timestamp
    # (the rest of the point goes unread); digits before it, anything after is invalid
    pytest.param(b'cpu ct\n = \\t"=t \nok v=1 1\nok w=2 2', "=",
                 id="newline-where-the-timestamp-begins"),
    pytest.param(b' "a="\nok v=1 1\nok w=2 2\nok v=3 3', "ok",
                 id="newline-after-the-timestamp"),
    pytest.param(b"# note\\\ncpu v=1 1\ncpu v=2 2", "cpu", id="comment-takes-the-next-line"),
    pytest.param(b"cpu v=1 1\n \\\ncpu v=2 2", "cpu", id="blank-then-escaped-newline"),
    # 1.x separates a line's parts by spaces; a tab only counts where it skips blanks
    pytest.param(b"cpu v=1 1\t", "cpu", id="tab-after-timestamp"),
    pytest.param(b"cpu v=1\t1", "cpu", id="tab-before-timestamp"),
    pytest.param(b"cpu v=1,w=2\t1\nok v=1 1", "ok", id="tab-after-last-field"),
    pytest.param(b"cpu v=1 \t1", "cpu", id="space-tab-before-timestamp"),
    pytest.param(b"cpu \tv=1 1", "cpu", id="space-tab-before-fields"),
    pytest.param(b"cpu\tv=1 1", "cpu", id="tab-instead-of-first-space"),
    pytest.param(b"\tcpu v=1 1", "cpu", id="leading-tab"),
    pytest.param(b"cpu v=1 1 ", "cpu", id="space-after-timestamp"),
    pytest.param(b"cpu v=1\t", "cpu", id="tab-after-value"),
    pytest.param(b"cpu v=1 \t", "cpu", id="space-tab-after-value"),
    pytest.param(b"cpu,t=a\tb v=1 1", "cpu", id="tab-in-tag-value"),
    pytest.param(b"cpu v=t\t1", "cpu", id="tab-after-boolean"),
    pytest.param(b"cpu v=1 1 \t", "cpu", id="space-tab-after-timestamp"),
    pytest.param(b"cpu v=1 1\t ", "cpu", id="tab-space-after-timestamp"),
    pytest.param(b"cpu v=1 1 \t2", "cpu", id="space-tab-then-garbage"),
    pytest.param(b"cpu v=1 \t1\t", "cpu", id="tab-around-timestamp"),
    pytest.param(b"cpu v=1i\t", "cpu", id="tab-after-integer"),
    pytest.param(b"cpu v=1\t,w=2", "cpu", id="tab-before-next-field"),
    # models.MaxKeyLength: the series key as written, then with each field key and 4 bytes
    pytest.param(b"ok v=1 1\ncpu,t=" + b"x" * 65526 + b" v=1 2\ncpu,t=" + b"x" * 65524
                 + b" v=1 3", "cpu", id="series-and-field-key-too-long"),
    pytest.param(b"c" * 70000 + b" v=x\n" + b"c" * 70000 + b" \n" + b"c" * 70000, "ok",
                 id="measurement-too-long-before-fields"),
    pytest.param(b"cpu,t=" + b"x" * 65526 + b",time=1 v=1 1\ncpu,t=" + b"x" * 65526
                 + b" time=1 1", "cpu", id="key-too-long-before-time-keys"),
    pytest.param("cpu,t={} v=1 1\ncpu,t={} v=1 2".format("é" * 32766, "\\ " * 32767)
                 .encode(), "cpu", id="key-length-in-bytes-as-written"),
    pytest.param(b"cpu v=1," + b"f" * 70000 + b"=1 x\ncpu " + b"f" * 70000 + b"=x\n"
                 b"cpu,t=" + b"x" * 65526 + b" v=1,v=1i 1", "cpu",
                 id="field-key-too-long-between-fields-and-timestamp"),
    pytest.param(b"ok v=1 1\n" + b"cpu,t=" + b"x" * 65526 + b" v=1 1\n" * 3, "ok",
                 id="key-too-long-in-a-block-of-one-shape"),
    pytest.param("\ufeffcpu v=1 1\ncpu v=2 2".encode(), "\ufeffcpu", id="byte-order-mark"),
]

# Bodies whose stored values are compared, read back with SELECT on both servers.
STORED = [
    pytest.param(b'cpu,host=a s="one\ntwo",v=1 1\ncpu,host=b s="x\ncpu v=9 9\n" 2',
                 id="newline-in-string"),
    pytest.param(b"cpu,t=C:\\\\,u\\=v\\ w f=1 1\ncpu,t=x\\\\=y f=2 2\ncpu,t==z f=3 3",
                 id="backslashes-in-tag-values"),
    pytest.param(b"cpu,t=a\\\nb v=1 1\ncpu,t=c\\\\\\\nd v=2,w\\\n=3 2\n"
                 b'cpu,t=e s="x\\\ny" 3', id="escaped-newlines-in-names-and-values"),
    # A string takes a line that begins with `#` (inside the point, no comment), then 1.x's
    # splitter runs on into the next line: `\\=` is a bare `=` to it, so a quote opens a string
    pytest.param(b'cpu s="a\n#",k\\\\="\nx"y\\\\,z=1 5\ncpu,t=b s="\n#",k\\\\="\n#"\\\\,z=2 6',
                 id="hash-beginning-lines-inside-a-point"),
]


# Bodies written with a precision: (body, precision, measurement)
WITH_PRECISION = [
    pytest.param(b"cpu v=1 1500000000000000000", "s", "cpu", id="seconds-beyond-range"),
    pytest.param(b"cpu v=1 -9223372036854775", "ms", "cpu", id="milliseconds-beyond-range"),
    pytest.param(b"cpu v=1 2562047", "h", "cpu", id="hours-beyond-range"),
    pytest.param(b"cpu v=1 2562046\ncpu v=2 -2562046", "h", "cpu", id="hours-within-range"),
    pytest.param(b"cpu v=1 9223372036854775\ncpu v=1 9223372036854776", "u", "cpu",
                 id="microseconds-at-the-end"),
]


@pytest.mark.parametrize(("body", "precision", "measurement"), WITH_PRECISION)
def test_same_answer_with_precision(influxdb1: Influxd, gateway: GatewayProcess, body: bytes,
                                    precision: str, measurement: str) -> None:
    database, influx, ours = both(influxdb1, gateway, body, query=f"&precision={precision}")
    assert ours == influx
    assert gateway_rows(gateway, database, measurement) == influx_rows(
        influxdb1, database, measurement)


@pytest.mark.parametrize(("body", "measurement"), SAME)
def test_same_answer_as_influxdb(influxdb1: Influxd, gateway: GatewayProcess, body: bytes,
                                 measurement: str) -> None:
    database, influx, ours = both(influxdb1, gateway, body)
    assert ours == influx
    assert gateway_rows(gateway, database, measurement) == influx_rows(
        influxdb1, database, measurement)


@pytest.mark.parametrize("body", STORED)
def test_same_values_stored_as_influxdb(influxdb1: Influxd, gateway: GatewayProcess,
                                        body: bytes) -> None:
    database, influx, ours = both(influxdb1, gateway, body)
    assert ours == influx == (204, "")
    stored = select_all(influxdb1.url, database)
    assert stored["results"][0]["series"]  # type: ignore[index]
    assert select_all(gateway.url, database) == stored


def test_quote_unescaped_in_measurement_and_field_key(influxdb1: Influxd,
                                                      gateway: GatewayProcess) -> None:
    """1.x unescapes `\\"` to a quote in a measurement and a field key (after `\\\\`, read
    first, too), where a tag key and value keep it as written."""
    body = b'c\\"pu,t\\"k=x\\"y a\\"b=1,c\\\\\\"=2 1\nc\\"pu a\\"b=3 2'
    database, influx, ours = both(influxdb1, gateway, body)
    assert ours == influx == (204, "")
    stored = select_all(influxdb1.url, database, "/.*/")
    (series, _) = stored["results"][0]["series"]  # type: ignore[index]
    assert (series["name"], series["columns"]) == ('c"pu', ["time", 'a"b', 'c\\\\"'])
    assert select_all(gateway.url, database, "/.*/") == stored


def test_type_conflict_with_stored_field(influxdb1: Influxd, gateway: GatewayProcess) -> None:
    database, influx, ours = both(influxdb1, gateway, b'cpu usage="s" 2\ncpu usage=3 3',
                                  setup=b"cpu usage=1 1")
    assert ours == influx
    assert gateway_rows(gateway, database, "cpu") == influx_rows(influxdb1, database, "cpu") == 2


# (setup, body, phantom): bodies whose points the store refuses, beside lines that do not
# parse; `phantom` is a field 1.x creates for a point it refuses (README), with no values.
REFUSALS = [
    pytest.param(b"", b"cpu v=1 1\ncpu,time=1 v=1 2\ncpu v= 3", "", id="refused-beside-bad-line"),
    pytest.param(b"", b"cpu v= 1\ncpu,time=1 v=1 2\ncpu time=1 3\ncpu v=1 4", "",
                 id="two-refusals-the-first-named"),
    # 1.x's store checks the tags of every point before the fields of any
    pytest.param(b"cpu a=1 1", b'cpu time=1 2\ncpu a="x" 3\nmem,time=1 v=1 4', "",
                 id="time-tag-named-before-earlier-refusals"),
    pytest.param(b"cpu a=1 1", b'cpu a="x" 2\ncpu a=2 3\ncpu a=t 4\ncpu a=? 5', "",
                 id="two-conflicts-the-first-named"),
    pytest.param(b"cpu b=1 1", b'cpu b="x",c=1 2\ncpu c="s" 3\ncpu v=x 4', "",
                 id="refused-point-creates-no-field"),
    pytest.param(b"cpu b=1 1", b'cpu a=1 2\ncpu a="x" 3\ncpu c=1 4', "",
                 id="new-field-first-type-wins"),
    pytest.param(b"cpu b=1 1", b'cpu a="x",a=1i 2\ncpu c=1 3', "a",
                 id="two-types-in-a-line"),
    # a point refused for two fields is one point dropped (found by a point past the column
    # limit, once counted for each column it would add)
    pytest.param(b"cpu a=1,b=1 1", b'cpu a="x",b="y" 2\ncpu a=2 3\ncpu b=t,a=t 4', "",
                 id="two-conflicts-in-a-point-counted-once"),
    # the first type in line order wins, across lines too wide to share a chunk (fuzz 144-358)
    pytest.param(b"mem v=1 0", b"cpu " + b",".join(b"g%d=1" % i for i in range(200))
                 + b" 1\ncpu k=t," + b",".join(b"h%d=1" % i for i in range(100))
                 + b" 2\ncpu k=1i 3", "", id="first-type-wins-past-a-chunks-columns"),
    # ... and across lines read by the two parsing paths (line 2 alone in the vectorised one)
    pytest.param(b"mem v=1 0", b"cpu k=t 1\ncpu k=t,j=t 2\ncpu k=t 3\ncpu k=1 4\ncpu j=1 5", "",
                 id="first-type-wins-across-parsing-paths"),
]


@pytest.mark.parametrize(("setup", "body", "phantom"), REFUSALS)
def test_store_refusals_as_influxdb(influxdb1: Influxd, gateway: GatewayProcess, setup: bytes,
                                    body: bytes, phantom: str) -> None:
    database, influx, ours = both(influxdb1, gateway, body, setup=setup)
    assert ours == influx
    stored = select_all(influxdb1.url, database)
    if phantom:
        (series,) = stored["results"][0]["series"]  # type: ignore[index]
        at = series["columns"].index(phantom)
        assert {row.pop(at) for row in series["values"]} == {None}
        series["columns"].pop(at)
    assert select_all(gateway.url, database) == stored


def test_stored_type_decides_boolean_conflict(influxdb1: Influxd,
                                              gateway: GatewayProcess) -> None:
    _, influx, ours = both(influxdb1, gateway, b"cpu v=t 2", setup=b"cpu v=1 1")
    assert ours == influx


@pytest.mark.parametrize("accept", ["application/x-msgpack", "application/csv", "text/csv",
                                    "application/json", "text/csv, application/json"])
@pytest.mark.parametrize(("body", "query"), [
    pytest.param(b"cpu v=x 1", "", id="bad-line"),
    pytest.param(b'ok v=1 1\ncpu v=x 2\ncpu v="a,b" 3\ncpu,time=1 v=1 4', "", id="partial"),
    pytest.param(b"cpu v=x 1", "&pretty=true", id="pretty"),
    pytest.param(b"cpu v=1 1", "&rp=nope", id="unknown-policy"),
])
def test_error_body_in_the_accepted_format(influxdb1: Influxd, gateway: GatewayProcess,
                                           body: bytes, query: str, accept: str) -> None:
    """1.x writes a /write error as /query writes one, in the format `Accept` chose."""
    database = fresh_database()
    answers = []
    for base in (influxdb1.url, gateway.url):
        create(base, database)
        answers.append(post_as(f"{base}/write?db={database}{query}", body, accept))
    if query == "&rp=nope":  # 1.x: 500, the gateway: 404 (test_retention_policy_parameter)
        answers[0] = (404, *answers[0][1:])
    assert answers[1] == answers[0]


def test_new_field_of_two_types_in_an_existing_shard(influxdb1: Influxd,
                                                     gateway: GatewayProcess) -> None:
    """README deviation: 1.6.7 fails the shard's write, then writes its point list again as the
    first pass left it (kept points moved to the front, the tail as it was: `t=45.5` twice,
    `u=1.5` gone), so it names `t` and counts one refusal; the gateway names the first of
    both and counts both. Both store the same."""
    body = b"cpu u=1.5 0\ncpu,h=b t=47i 0\ncpu,h=b t=45.5 0\ncpu,h=a v=1 0"
    database, influx, ours = both(influxdb1, gateway, body, setup=b'cpu u="s" 0')
    def said(key: str, kind: str, dropped: int) -> tuple[int, str]:
        message = (f'partial write: field type conflict: input field "{key}" on measurement '
                   f'"cpu" is type float, already exists as type {kind} dropped={dropped}')
        return 400, json.dumps({"error": message}, separators=(",", ":")) + "\n"

    assert influx == said("t", "integer", 1)
    assert ours == said("u", "string", 2)
    assert select_all(gateway.url, database) == select_all(influxdb1.url, database)


def test_two_new_fields_of_two_types_in_an_existing_shard(influxdb1: Influxd,
                                                          gateway: GatewayProcess) -> None:
    """README deviation: 1.6.7's second pass meets the second field's two types and fails
    the whole write; the gateway keeps each field's first type and stores those points."""
    body = b"cpu k=1i 1\ncpu k=1.5 2\ncpu j=1i 3\ncpu j=1.5 4"
    database, influx, ours = both(influxdb1, gateway, body, setup=b"cpu v=1 0")
    assert influx == (400, '{"error":"field type conflict"}\n')
    assert ours[0] == 400 and ours[1].endswith(' dropped=2"}\n')
    assert gateway_rows(gateway, database, "cpu") == 3
    assert influx_rows(influxdb1, database, "cpu") == 1


def test_type_of_a_first_pass_refused_in_an_existing_shard(influxdb1: Influxd,
                                                          gateway: GatewayProcess) -> None:
    """README deviation (write fuzz 166-172): 1.6.7's first pass creates `b` as an integer
    from the point whose `a` then fails it, so its second pass refuses `cpu b=t 2` as well
    (dropped=2); the gateway, keeping nothing from a refused point, stores it. Where `b`
    comes after `a` in that point, the first pass never reaches it and both store the same."""
    said = ('{{"error":"partial write: field type conflict: input field \\"a\\" on '
            'measurement \\"cpu\\" is type float, already exists as type integer '
            'dropped={}"}}\n')
    body = b"cpu a=1i 0\ncpu b=1i,a=1.5 1\ncpu b=t 2"
    database, influx, ours = both(influxdb1, gateway, body, setup=b"mem v=1 0")
    assert influx == (400, said.format(2))
    assert ours == (400, said.format(1))
    assert influx_rows(influxdb1, database, "cpu") == 1
    assert gateway_rows(gateway, database, "cpu") == 2
    after = b"cpu a=1i 0\ncpu a=1.5,b=1i 1\ncpu b=t 2"
    database, influx, ours = both(influxdb1, gateway, after, setup=b"mem v=1 0")
    assert influx == ours == (400, said.format(1))
    assert select_all(gateway.url, database) == select_all(influxdb1.url, database)


@pytest.mark.parametrize("emptying", ["DELETE FROM cpu", "DROP SERIES FROM cpu"])
def test_type_forgotten_with_the_last_series(influxdb1: Influxd, gateway: GatewayProcess,
                                             emptying: str) -> None:
    """README deviation: once a measurement's last series is gone, the gateway forgets its
    fields' types; 1.6.7 keeps them in each shard group that held the field, unlisted, and
    refuses another type there."""
    database = fresh_database()
    answers = []
    for base in (influxdb1.url, gateway.url):
        create(base, database)
        assert post(f"{base}/write?db={database}", b"cpu,h=a v=1 1")[0] == 204
        status, said = post(f"{base}/query?db={database}", b"q=" + emptying.replace(" ", "+")
                            .encode())
        assert (status, "error" in said) == (200, False), said
        answers.append(post(f"{base}/write?db={database}", b'cpu,h=a v="s" 2'))
    influx, ours = answers
    assert influx[0] == 400 and "already exists as type float dropped=1" in influx[1]
    assert ours == (204, "")
    assert gateway_rows(gateway, database, "cpu") == 1
