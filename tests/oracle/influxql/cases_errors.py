"""Statements InfluxDB 1.6.7 refuses: parse errors (with positions), semantic errors, and
request-level errors (missing or unknown database, bad parameters).
"""

from __future__ import annotations

import pytest

from .cases_select import W

PARSE = [
    pytest.param("", id="empty-query"),
    pytest.param("SELECT", id="select-alone"),
    pytest.param("SELECT FROM cpu", id="select-no-fields"),
    pytest.param("SELECT usage_user", id="select-no-from"),
    pytest.param("SELECT usage_user FROM", id="from-no-source"),
    pytest.param("SELEC usage_user FROM cpu", id="misspelt-keyword"),
    pytest.param("SELECT usage_user FROM cpu WHERE", id="where-nothing"),
    pytest.param("SELECT usage_user FROM cpu WHERE host = ", id="where-no-value"),
    pytest.param("SELECT usage_user FROM cpu WHERE host = 'server01", id="unterminated-string"),
    pytest.param('SELECT "usage_user FROM cpu', id="unterminated-identifier"),
    pytest.param("SELECT usage_user FROM cpu WHERE host =~ /server", id="unterminated-regex"),
    pytest.param("SELECT usage_user FROM cpu GROUP BY", id="group-by-nothing"),
    pytest.param("SELECT mean(usage_user) FROM cpu GROUP BY time()", id="group-by-time-empty"),
    pytest.param("SELECT mean(usage_user) FROM cpu GROUP BY time(10x)", id="bad-duration-unit"),
    pytest.param("SELECT usage_user FROM cpu LIMIT -1", id="negative-limit"),
    pytest.param("SELECT usage_user FROM cpu LIMIT x", id="limit-not-number"),
    pytest.param("SELECT usage_user FROM cpu OFFSET 1.5", id="offset-float"),
    pytest.param("SELECT usage_user FROM cpu ORDER BY usage_user", id="order-by-field"),
    pytest.param("SELECT usage_user FROM cpu ORDER BY time SIDEWAYS", id="order-by-bad-dir"),
    pytest.param("SELECT usage_user FROM cpu WHERE (host = 'server01'", id="unbalanced-paren"),
    pytest.param("SELECT usage_user,, usage_system FROM cpu", id="double-comma"),
    pytest.param("SELECT usage_user FROM cpu fill(none)", id="fill-without-group-by"),
    pytest.param("SELECT mean(usage_user) FROM cpu GROUP BY time(1m) fill(sideways)",
                 id="fill-bad-option"),
    pytest.param("SELECT usage_user FROM cpu tz()", id="tz-empty"),
    pytest.param("SELECT usage_user FROM cpu WHERE host = 'server04' LIMIT 2;;",
                 id="double-semicolon"),
    pytest.param("SELECT usage_user FROM cpu extra", id="trailing-word"),
    pytest.param("SELECT usage_user::bogus FROM cpu", id="bad-cast-type"),
    pytest.param("SELECT usage_user FROM cpu WHERE host = 'a' AND", id="dangling-and"),
    pytest.param("SHOW", id="show-alone"),
    pytest.param("SHOW TAG VALUES FROM cpu", id="tag-values-without-key"),
    pytest.param("SHOW TAG VALUES WITH KEY host", id="tag-values-key-no-operator"),
    pytest.param("SHOW MEASUREMENTS WITH MEASUREMENT", id="with-measurement-incomplete"),
    pytest.param("SHOW SERIES CARDINALITY EXACT", id="cardinality-word-order"),
    pytest.param("SHOW FIELDS", id="show-fields-misspelt"),
    pytest.param("DROP", id="drop-alone"),
    pytest.param("CREATE DATABASE", id="create-database-no-name"),
    pytest.param("SELECT usage_user FROM cpu\nWHERE host = 'a'\nGROUP BY", id="multiline-position"),
    pytest.param("SELECT 'x' FROM cpu", id="string-literal-field"),
    pytest.param("SELECT usage_user FROM cpu WHERE host = 'server04' AND time > 2024-01-01 "
                 "LIMIT 2", id="unquoted-date-is-arithmetic"),
    pytest.param("SELECT * FROM cpu WHERE host = \"server01\"", id="double-quoted-value"),
    # a tag compared with a name: the index keeps series whose tag is set and equals that
    # tag's value; `!=` keeps the others, a series without the tag too (found by the fuzzer)
    pytest.param(f"SELECT usage_user FROM cpu WHERE cpu = \"cpu1\" AND {W} GROUP BY *",
                 id="double-quoted-value-missing-tag"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE cpu != \"cpu1\" AND {W} GROUP BY * LIMIT 1",
                 id="double-quoted-value-not-equal"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE cpu = cpu AND {W} GROUP BY * LIMIT 1",
                 id="tag-equals-itself"),
]

SEMANTIC = [
    pytest.param(f"SELECT mean(usage_user), usage_system FROM cpu WHERE {W}",
                 id="mixing-aggregate-and-raw"),
    pytest.param("SELECT first(v), last(v), w FROM gauge", id="mixing-selectors-and-raw"),
    # 1.x counts calls as written: one selector twice is two; a call over a wildcard or
    # regex is an aggregate to that check
    pytest.param("SELECT first(v) - first(v), v FROM single WHERE time >= "
                 "'2024-01-01T02:00:00Z' AND time < '2024-01-10T01:00:00Z' GROUP BY id, "
                 "time(90m) fill(2.5)", id="mixing-one-selector-twice-and-raw"),
    pytest.param("SELECT max(v), max(v), id FROM single", id="mixing-same-selectors-and-tag"),
    pytest.param("SELECT first(*), id FROM single", id="mixing-wildcard-selector-and-tag"),
    pytest.param("SELECT last(/v/), id FROM gauge", id="mixing-regex-selector-and-tag"),
    # the SELECT list is checked before it is expanded: a regex is a raw field there even
    # when it matches nothing, and a FROM that matches nothing is checked too
    pytest.param("SELECT /e/, cumulative_sum(a) FROM sparse GROUP BY *",
                 id="mixing-unmatched-regex-and-transform"),
    pytest.param("SELECT /zz/, mean(usage_user) FROM cpu",
                 id="mixing-unmatched-regex-and-aggregate"),
    pytest.param("SELECT /e/, max(a), min(a) FROM sparse",
                 id="mixing-unmatched-regex-and-selectors"),
    pytest.param("SELECT /e/, max(a) FROM sparse", id="unmatched-regex-beside-selector"),
    pytest.param("SELECT /e/, cumulative_sum(mean(a)) FROM sparse GROUP BY time(10m)",
                 id="mixing-unmatched-regex-no-lower-bound"),
    pytest.param("SELECT a, mean(a) FROM nosuch", id="mixing-unknown-measurement"),
    pytest.param("SELECT foo(a) FROM nosuch", id="undefined-function-unknown-measurement"),
    # only fill(none) and fill(linear) need a function; fill(previous) and fill(0) are ignored
    pytest.param("SELECT a FROM sparse fill(linear)", id="fill-linear-without-function"),
    pytest.param("SELECT a FROM sparse fill(previous)", id="fill-previous-raw-ignored"),
    pytest.param("SELECT cumulative_sum(a) FROM sparse fill(0)", id="fill-number-raw-ignored"),
    # operators whose sides cannot meet: 1.x types each side first (found by the fuzzer)
    pytest.param("SELECT message / latency FROM events", id="type-error-string-float"),
    pytest.param("SELECT code + latency, level + code FROM events", id="type-error-tag"),
    pytest.param("SELECT first(ok) * 2, max(latency) FROM events", id="type-error-selector"),
    pytest.param("SELECT code + 1.25 + message FROM events", id="type-error-chain"),
    pytest.param("SELECT (code / 2) & 1.5 FROM events", id="type-error-bitwise-float"),
    pytest.param("SELECT 2 * -(ok) FROM events", id="type-error-unary-minus"),
    pytest.param("SELECT (c) * a FROM sparse", id="type-error-parenthesised-variable"),
    pytest.param("SELECT (max(d)) - mean(a) FROM sparse", id="type-error-parenthesised-call"),
    pytest.param("SELECT elapsed(max(latency)) + 'x' FROM events WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(10m)", id="type-error-transformation"),
    pytest.param("SELECT z + 1 FROM mixed", id="type-error-field-of-two-kinds"),
    pytest.param("SELECT z + 1 FROM iql..mixed, iql_db2..mixed",
                 id="type-error-none-field-read-as-integer"),
    pytest.param("SELECT ok ^ ok, first(ok) & true, nosuch + message FROM events LIMIT 2",
                 id="type-check-passes"),
    # 1.x types fields by the shard groups the range reaches: none of the measurement's, no
    # type and no error (found by the fuzzer); an inverted range inside one still fails
    pytest.param("SELECT c + 1 FROM sparse WHERE time >= '2023-12-24T00:00:00Z' "
                 "AND time < '2023-12-31T23:00:00Z'", id="type-error-no-shard-group"),
    pytest.param("SELECT ok + 2 FROM events WHERE (time >= '2024-01-01T00:00:00Z' "
                 "AND time < '2024-01-01T01:00:00Z') OR time = '2024-01-20T00:00:00Z'",
                 id="type-error-time-or-no-shard-group"),
    pytest.param("SELECT ok + 2 FROM events WHERE time >= '2024-01-01T01:00:00Z' "
                 "AND time < '2024-01-01T00:30:00Z'", id="type-error-inverted-range"),
    pytest.param("SELECT ok + 2 FROM events WHERE level = 'nosuch'",
                 id="type-error-no-series"),
    # iterators that refuse text or booleans (found by the fuzzer)
    pytest.param("SELECT max(message) FROM events", id="max-of-strings"),
    pytest.param("SELECT min(message) FROM events GROUP BY time(1h) LIMIT 1",
                 id="min-of-strings-by-time"),
    pytest.param("SELECT max(ok), min(ok) FROM events", id="max-min-of-booleans"),
    # a transformation of any call, math too, needs GROUP BY time; under it, elapsed() like
    # the others needs an aggregate inside
    pytest.param("SELECT cumulative_sum(abs(code)) FROM events",
                 id="transform-of-math-without-interval"),
    pytest.param("SELECT elapsed(floor(latency)), count(code) FROM events",
                 id="elapsed-of-math-without-interval"),
    pytest.param("SELECT difference(abs(code)), count(code) FROM events",
                 id="transform-of-math-beside-aggregate-without-interval"),
    pytest.param(f"SELECT elapsed(code, 1m), mean(code) FROM events WHERE {W} "
                 "GROUP BY time(30m)", id="elapsed-of-field-by-time"),
    pytest.param("SELECT derivative(message) FROM events", id="derivative-of-strings"),
    pytest.param("SELECT non_negative_difference(ok) FROM events",
                 id="non-negative-difference-of-booleans"),
    # one function per statement: with two, 1.6.7 names either one from run to run
    pytest.param("SELECT cumulative_sum(message) FROM events", id="cumulative-sum-of-strings"),
    pytest.param("SELECT moving_average(message, 2) FROM events",
                 id="moving-average-of-strings"),
    pytest.param("SELECT triple_exponential_derivative(ok, 2) FROM events",
                 id="indicator-of-booleans"),
    pytest.param("SELECT derivative(first(message)) FROM events WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(10m)", id="derivative-of-first-strings"),
    pytest.param("SELECT elapsed(message) FROM events LIMIT 3", id="elapsed-of-strings"),
    pytest.param("SELECT derivative(message) FROM events WHERE level = 'nosuch'",
                 id="derivative-of-strings-no-points"),
    pytest.param("SELECT abs(message), sqrt(ok), round(message) FROM events LIMIT 2",
                 id="math-of-strings-and-booleans"),
    pytest.param("SELECT integral(message) FROM events", id="integral-of-strings"),
    pytest.param("SELECT integral(ok, 1m) FROM events WHERE time >= '2024-01-01T00:00:00Z' "
                 "AND time < '2024-01-01T01:00:00Z' GROUP BY time(10m)",
                 id="integral-of-booleans-by-time"),
    pytest.param("SELECT top(message, 2) FROM events", id="top-of-strings"),
    pytest.param("SELECT bottom(ok, 2) FROM events WHERE time < '2024-01-01T02:00:00Z' "
                 "GROUP BY time(1h)",
                 id="bottom-of-booleans-by-time"),
    # with tag arguments 1.x reads max()/min() per tag set first: text fails there, booleans
    # at top() itself, over max()'s reduce iterator
    pytest.param("SELECT bottom(message, level, 3) FROM events GROUP BY level",
                 id="bottom-tag-of-strings-names-min"),
    pytest.param("SELECT top(a, source, 2) FROM (SELECT message AS a, source FROM events)",
                 id="top-tag-of-strings-in-subquery-names-max"),
    pytest.param("SELECT bottom(ok, source, level, 2) FROM events WHERE "
                 "time < '2024-01-01T02:00:00Z' GROUP BY time(30m)",
                 id="bottom-tags-of-booleans-reduce-iterator"),
    pytest.param("SELECT percentile(message, 50) FROM events", id="percentile-of-strings"),
    pytest.param("SELECT percentile(ok, 90) FROM events", id="percentile-of-booleans"),
    pytest.param("SELECT holt_winters(last(message), 2, 1) FROM events WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(10m)", id="holt-winters-of-strings"),
    pytest.param("SELECT top(message, 2) FROM (SELECT message FROM events)",
                 id="top-of-strings-in-subquery"),
    # a subquery's columns are typed by its statement, so they fail even when it answers
    # nothing
    pytest.param("SELECT mean(message) FROM (SELECT message FROM events WHERE level = 'nosuch')",
                 id="subquery-mean-of-strings-no-rows"),
    # ...by the shard groups the parent's range reaches (1.x maps them for the whole
    # statement), not the subquery's own: none of the measurement's, no type, no error
    pytest.param("SELECT double_exponential_moving_average(a, 3) FROM (SELECT max(d) AS a "
                 "FROM sparse WHERE time < '2023-12-31T23:30:00Z' AND "
                 "time >= '2023-12-24T23:30:00Z' GROUP BY time(13m)) WHERE time < 1704067200s "
                 "AND time >= '2023-12-24T00:00:00Z' ORDER BY time DESC",
                 id="subquery-untyped-outside-parent-shard-groups"),
    pytest.param("SELECT double_exponential_moving_average(a, 3) FROM (SELECT max(d) AS a "
                 "FROM sparse WHERE time < '2023-12-31T23:30:00Z' AND "
                 "time >= '2023-12-24T23:30:00Z' GROUP BY time(13m)) WHERE time < 1704067201s",
                 id="subquery-typed-by-parent-shard-groups"),
    pytest.param("SELECT mean(a) FROM (SELECT d AS a FROM sparse WHERE "
                 "time > '2024-01-20T00:00:00Z')", id="subquery-typed-outside-own-range"),
    # a subquery runs in its parent's time order: one without ORDER BY takes it, one whose
    # ORDER BY says otherwise fails before its own statement is checked
    pytest.param("SELECT code FROM (SELECT code FROM events ORDER BY time DESC)",
                 id="subquery-desc-under-asc"),
    pytest.param("SELECT code FROM (SELECT code FROM events ORDER BY time ASC) "
                 "ORDER BY time DESC", id="subquery-asc-under-desc"),
    pytest.param("SELECT code FROM (SELECT code FROM events ORDER BY time DESC) "
                 "ORDER BY time DESC LIMIT 3", id="subquery-desc-under-desc"),
    pytest.param("SELECT code FROM (SELECT code FROM (SELECT code FROM events ORDER BY time "
                 "DESC)) ORDER BY time DESC LIMIT 3", id="subquery-desc-inherited-through-middle"),
    pytest.param("SELECT code FROM (SELECT code FROM (SELECT code FROM events ORDER BY time "
                 "DESC) ORDER BY time ASC) ORDER BY time DESC", id="subquery-asc-middle-error"),
    pytest.param("SELECT mean(code) FROM (SELECT nosuch(code) FROM events ORDER BY time DESC)",
                 id="subquery-direction-before-its-own-errors"),
    pytest.param("SELECT * FROM (SELECT code FROM events ORDER BY time DESC), events",
                 id="subquery-direction-beside-measurement"),
    # ...but 1.x compiles the parent's own SELECT list, GROUP BY and fill first: its errors
    # win over the direction and over the subquery's own errors
    pytest.param("SELECT mean(code), latency FROM (SELECT code, latency FROM events ORDER BY "
                 "time DESC)", id="subquery-parent-mixing-before-direction"),
    pytest.param("SELECT mean(*), code FROM (SELECT code FROM events ORDER BY time DESC)",
                 id="subquery-parent-wildcard-mixing-before-direction"),
    pytest.param("SELECT code FROM (SELECT code FROM events ORDER BY time DESC) fill(none)",
                 id="subquery-parent-fill-before-direction"),
    pytest.param("SELECT code FROM (SELECT code FROM events ORDER BY time DESC) "
                 "GROUP BY time(1m)", id="subquery-parent-group-by-raw-before-direction"),
    pytest.param("SELECT nosuch(code) FROM (SELECT code FROM events ORDER BY time DESC)",
                 id="subquery-parent-undefined-before-direction"),
    pytest.param("SELECT mean(code), latency FROM (SELECT nosuch(code) FROM events)",
                 id="subquery-parent-mixing-before-its-errors"),
    # a call of a wildcard or regex inside math is not expanded: 1.x names the call, field by
    # field in SELECT order (an earlier field's error comes first)
    pytest.param("SELECT count(*) + 1 FROM events", id="wildcard-call-in-math"),
    pytest.param("SELECT latency, mean(/co/) * 2 FROM events", id="regex-call-in-math"),
    pytest.param("SELECT abs(count(*)) - 1 FROM events", id="wildcard-call-in-math-under-math"),
    pytest.param("SELECT difference(*) + 1 FROM events", id="wildcard-transform-in-math"),
    pytest.param("SELECT abs(*) + 1 FROM events", id="wildcard-math-in-math"),
    pytest.param("SELECT count(*) + 1, nosuch(code) FROM events",
                 id="wildcard-call-in-math-before-later-field"),
    pytest.param("SELECT nosuch(code), count(*) + 1 FROM events",
                 id="wildcard-call-in-math-after-earlier-field"),
    pytest.param("SELECT count(*) + cumulative_sum(code) FROM events",
                 id="wildcard-call-in-math-beside-transform"),
    pytest.param("SELECT count(*) * 2 FROM (SELECT code FROM events)",
                 id="wildcard-call-in-math-over-subquery"),
    # 1.x reduces math of constants before it compiles a field: a regex is one (math of it
    # is nil), a wildcard is not (`abs(*)` expands); a field left without a variable fails,
    # field by field in SELECT order, a binary expression on two literals has its own words
    pytest.param("SELECT abs(/co/) FROM events", id="math-of-regex-no-variable"),
    pytest.param("SELECT code, pow(/co/, 2) FROM events", id="math-of-regex-beside-field"),
    pytest.param("SELECT pow(2, /co/), nosuch(code) FROM events",
                 id="math-of-regex-before-later-field"),
    pytest.param("SELECT abs(abs(/co/)) FROM nosuch", id="math-of-regex-unknown-measurement"),
    pytest.param(f"SELECT round(/co/) FROM events WHERE {W} GROUP BY time(30m)",
                 id="math-of-regex-by-time"),
    pytest.param("SELECT abs(/co/) + 1, nosuch(code) FROM events",
                 id="math-of-regex-in-binary-two-literals"),
    pytest.param("SELECT code, 'a' + 1 FROM events", id="text-plus-number-two-literals"),
    pytest.param("SELECT sin(1.5, 2) FROM events", id="math-argument-count-before-variable"),
    pytest.param("SELECT atan2(/co/, code) FROM events",
                 id="math-of-regex-beside-field-expands"),
    # 1.x compiles field after field: a function's name, its arguments' count and kinds (a
    # literal where a field belongs, math of literals reduced to one first) fail there, so
    # before a later field's errors (distinct(*)'s)
    pytest.param("SELECT nosuch(code), distinct(*) FROM events",
                 id="undefined-function-before-later-distinct-wildcard"),
    pytest.param("SELECT abs(nosuch(code)), distinct(/co/) FROM events",
                 id="undefined-function-in-math-before-later-distinct"),
    pytest.param(f"SELECT derivative(nosuch(code)), distinct(*) FROM events WHERE {W} "
                 "GROUP BY time(30m)", id="undefined-function-in-transform-before-distinct"),
    pytest.param("SELECT distinct(*), nosuch(code) FROM events",
                 id="distinct-wildcard-before-later-undefined-function"),
    pytest.param("SELECT mean(1) FROM events", id="literal-argument-mean"),
    pytest.param("SELECT count(2.5), mean(latency) FROM events", id="literal-argument-count"),
    pytest.param("SELECT mean(latency), max(abs(1)) FROM events",
                 id="literal-argument-math-of-literal"),
    pytest.param("SELECT percentile(1, 5) FROM events", id="literal-argument-percentile"),
    pytest.param("SELECT sample('a', 2) FROM events", id="literal-argument-sample"),
    pytest.param("SELECT mean(1), distinct(*) FROM events",
                 id="literal-argument-before-later-distinct"),
    pytest.param("SELECT cumulative_sum(1) FROM events", id="literal-argument-transform"),
    pytest.param("SELECT cumulative_sum(abs(/co/)) FROM events",
                 id="transform-of-math-of-regex"),
    pytest.param(f"SELECT cumulative_sum(abs(/co/)) FROM events WHERE {W} GROUP BY time(30m)",
                 id="transform-of-math-of-regex-by-time"),
    pytest.param(f"SELECT difference(abs(1)) FROM events WHERE {W} GROUP BY time(30m)",
                 id="transform-of-math-of-literal-by-time"),
    pytest.param("SELECT count(/co/) + 1, nosuch(code) FROM events",
                 id="regex-call-in-math-before-later-field"),
    pytest.param(f"SELECT relative_strength_index(latency, 5, -1, 'none'), "
                 f"moving_average(latency, 1) FROM events WHERE {W} GROUP BY time(30m)",
                 id="indicator-arguments-before-later-field"),
    pytest.param(f"SELECT holt_winters(mean(latency), 0, 1), sample(latency, 0) FROM events "
                 f"WHERE {W} GROUP BY time(30m)", id="holt-winters-arguments-before-later-field"),
    # moving_average()'s window is 1.x's compile check; a boolean mean() fails only where
    # the iterators are built (fuzz 156-1110)
    pytest.param(f"SELECT derivative(code, 1s), (mean(ok)) + moving_average(latency, 1) "
                 f"FROM events WHERE {W} GROUP BY level, source LIMIT 10",
                 id="moving-average-window-before-boolean-mean"),
    # a transformation reads only a call iterator: math of an aggregate inside it compiles but
    # fails where 1.x builds the iterators, with or without points, after the list's checks
    pytest.param(f"SELECT cumulative_sum(abs(mean(latency))) FROM events WHERE {W} "
                 "GROUP BY time(30m)", id="transform-of-math-unsupported-call"),
    pytest.param(f"SELECT mean(latency), derivative(floor(max(latency))) FROM events WHERE {W} "
                 "GROUP BY time(30m)", id="transform-of-math-unsupported-call-beside"),
    pytest.param("SELECT cumulative_sum(abs(mean(latency))) FROM nosuch WHERE "
                 f"{W} GROUP BY time(30m)", id="transform-of-math-unsupported-call-no-source"),
    pytest.param(f"SELECT cumulative_sum(abs(mean(message))) FROM events WHERE {W} "
                 "GROUP BY time(30m)", id="transform-of-math-unsupported-call-before-types"),
    # ...and math of a raw field there is a call beside a field
    pytest.param(f"SELECT cumulative_sum(abs(latency)) FROM events WHERE {W} "
                 "GROUP BY time(30m)", id="transform-of-math-of-field-by-time-mixing"),
    # math with an operand reduced to nil (math of a regex or text) beside a variable: 1.x's
    # engine panics after the SELECT list's checks; its executor answers statement_id -1 with
    # the query's text (the statements run so far qualified) and `[panic:unreachable]`
    pytest.param("SELECT abs(/u/) + u FROM pair", id="panic-math-of-regex-plus-field"),
    pytest.param("SELECT k, abs(abs(/u/) * u) FROM pair WHERE host = 'a' AND time > 0 "
                 "GROUP BY host ORDER BY time DESC LIMIT 2 tz('UTC')",
                 id="panic-math-of-regex-rendered-statement"),
    pytest.param("SELECT abs('a') - mean(u) FROM (SELECT u FROM pair)",
                 id="panic-math-of-text-over-subquery"),
    pytest.param("SELECT abs(/u/) + u FROM nosuch", id="panic-math-of-regex-no-measurement"),
    pytest.param("SELECT mean(k) FROM pair; SELECT u + sin(/u/) FROM iql_db2..pair; "
                 "SELECT mean(u) FROM pair", id="panic-math-of-regex-multi-statement"),
    pytest.param("SELECT abs(/u/) + u, mean(k) FROM pair", id="panic-after-mixing-error"),
    pytest.param("SELECT abs(/u/) + u, nosuch(k) FROM pair",
                 id="panic-after-later-field-error"),
    # the statement is an aggregate one before its wildcards expand: a call matching nothing
    # still mixes with a raw field
    pytest.param("SELECT mean(/nomatch/), code FROM events", id="mixing-regex-call-no-match"),
    pytest.param(f"SELECT mean(/nomatch/) FROM events WHERE {W} GROUP BY time(30m)",
                 id="regex-call-no-match-by-time"),
    # ...while a call matching nothing beside raw transformations leaves them answered alone
    # (fuzz 11-256)
    pytest.param("SELECT cumulative_sum(v), last(/nomatch/) FROM gauge WHERE "
                 "time < '2024-01-01T00:03:00Z'", id="regex-call-no-match-beside-transform"),
    # an aggregate beside raw transformations: a call's own arguments are checked before the
    # SELECT list's types
    pytest.param("SELECT mode(message) + moving_average(latency, 3), "
                 "exponential_moving_average(latency, 2, -1, 'none') FROM events",
                 id="beside-call-arguments-before-types"),
    pytest.param("SELECT mode(message) + moving_average(latency, 3), "
                 "exponential_moving_average(latency, 2, -1, 'simple') FROM events",
                 id="beside-types-after-call-arguments"),
    pytest.param("SELECT mean(a) FROM (SELECT d AS a FROM sparse) "
                 "WHERE time < '2023-12-31T23:30:00Z'", id="subquery-untyped-raw-parent-range"),
    pytest.param("SELECT a + 2 FROM (SELECT ok AS a FROM events WHERE "
                 "time >= '2024-01-20T00:00:00Z' AND time < '2024-01-21T00:00:00Z')",
                 id="subquery-type-error-no-rows"),
    pytest.param("SELECT exponential_moving_average(a, 5) FROM (SELECT min(d) AS a FROM sparse "
                 "WHERE id = \"y\" AND time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T01:00:00Z' GROUP BY time(30m), id) GROUP BY id",
                 id="subquery-transform-of-booleans-no-rows"),
    # a subquery's function that refuses its input still types its column: with no series
    # to fail over, the parent's function meets text
    pytest.param("SELECT max(a) FROM (SELECT min(message) AS a FROM events "
                 "WHERE source = 'nosuch')", id="subquery-refused-min-types-text"),
    pytest.param("SELECT count(a) FROM (SELECT min(message) AS a FROM events "
                 "WHERE source = 'nosuch')", id="subquery-refused-min-no-series-counted"),
    # ... but only where the shard groups mapped for the parent's range hold the measurement
    pytest.param("SELECT max(a) FROM (SELECT min(message) AS a FROM events) "
                 "WHERE time < '2024-01-01T00:00:00Z'", id="subquery-untyped-no-shard-group"),
    # the parent's type check comes before any iterator is built
    pytest.param("SELECT a - a FROM (SELECT percentile(c, 50) AS a FROM sparse)",
                 id="subquery-parent-type-error-before-refusal"),
    # 1.x maps the outermost statement's range to shard groups, for its subqueries too: a
    # subquery's own range missing them still fails there
    pytest.param("SELECT count(a) FROM (SELECT percentile(message, 90) AS a FROM events "
                 "WHERE time > '2025-01-01T00:00:00Z')", id="subquery-refusal-outer-range-maps"),
    pytest.param("SELECT count(a) FROM (SELECT count(b) AS a FROM (SELECT percentile(message, "
                 "90) AS b FROM events WHERE time > '2025-01-01T00:00:00Z'))",
                 id="subquery-refusal-outer-range-maps-nested"),
    pytest.param("SELECT count(a) FROM (SELECT mean(ok) AS a FROM events WHERE "
                 "time > '2025-01-01T00:00:00Z') WHERE time > '2023-01-01T00:00:00Z'",
                 id="subquery-refusal-outer-range-bounded"),
    pytest.param("SELECT count(a) FROM (SELECT percentile(message, 90) AS a FROM events) "
                 "WHERE time > '2025-01-01T00:00:00Z'", id="subquery-refusal-outer-range-none"),
    # the index keeps a series for `tag = "name"` when the tag is set and equals that tag's
    # value; `!=` keeps the others
    pytest.param("SELECT spread(message) FROM events WHERE level = \"source\"",
                 id="tag-equals-other-tag-no-series"),
    pytest.param("SELECT spread(message) FROM events WHERE level = \"level\"",
                 id="tag-equals-itself-series-refused"),
    pytest.param("SELECT cumulative_sum(c) FROM sparse WHERE id = \"y\"",
                 id="tag-equals-name-no-series"),
    pytest.param("SELECT spread(message) FROM events WHERE level != \"source\"",
                 id="tag-not-equal-other-tag-refused"),
    # 1.x builds iterators only over the series its index holds in the shard groups the
    # range reaches: a range events has no shard group in answers nothing, an empty range
    # inside one fails
    pytest.param("SELECT max(message) FROM events WHERE time >= '2024-01-20T00:00:00Z' "
                 "AND time < '2024-01-21T00:00:00Z'", id="max-of-strings-no-shard-group"),
    pytest.param("SELECT mean(message) FROM events WHERE time >= '2023-12-25T00:00:00Z' "
                 "AND time < '2023-12-26T00:00:00Z'", id="mean-of-strings-other-shard-group"),
    pytest.param("SELECT sum(ok) FROM events WHERE level = 'nosuch'",
                 id="sum-of-booleans-no-series"),
    # SLIMIT/SOFFSET page the tag sets before any iterator is built: a page past every
    # group (or SOFFSET without SLIMIT) builds none and answers nothing
    pytest.param("SELECT spread(ok) FROM events WHERE time >= '2024-01-01T00:00:00Z' "
                 "AND time < '2024-01-01T01:00:00Z' GROUP BY time(10m) SLIMIT 3 SOFFSET 1",
                 id="spread-of-booleans-page-past-groups"),
    pytest.param("SELECT spread(ok) FROM events WHERE time >= '2024-01-01T00:00:00Z' "
                 "AND time < '2024-01-01T01:00:00Z' GROUP BY time(10m) SLIMIT 3",
                 id="spread-of-booleans-page-holds-group"),
    pytest.param("SELECT mean(message) FROM events GROUP BY level SOFFSET 1",
                 id="mean-of-strings-soffset-alone"),
    pytest.param("SELECT mean(message) FROM events GROUP BY * SLIMIT 2 SOFFSET 5",
                 id="mean-of-strings-last-page"),
    pytest.param("SELECT mean(message) FROM events GROUP BY * SLIMIT 2 SOFFSET 6",
                 id="mean-of-strings-page-past-series"),
    pytest.param("SELECT moving_average(spread(ok), 5), non_negative_derivative(mean(code)) "
                 "FROM events WHERE time >= '2024-01-01T00:30:00Z' "
                 "AND time <= '2024-01-01T01:17:00Z' GROUP BY time(4m30s, 1m) fill(none) "
                 "SLIMIT 3 SOFFSET 2", id="transform-of-refused-page-past-groups"),
    pytest.param("SELECT difference(ok) FROM events SLIMIT 1 SOFFSET 1",
                 id="raw-difference-of-booleans-page-past-groups"),
    pytest.param("SELECT max(message) FROM events WHERE time >= '2024-01-05T00:00:00Z' "
                 "AND time < '2024-01-06T00:00:00Z'", id="max-of-strings-empty-range"),
    # ...the shard groups 1.x maps: the range with moving_average's window after it under DESC
    pytest.param("SELECT moving_average(max(message), 2) FROM events "
                 "WHERE time >= '2023-12-31T23:00:00Z' AND time < '2023-12-31T23:50:00Z' "
                 "GROUP BY time(10m) ORDER BY time DESC", id="max-of-strings-window-maps-group"),
    pytest.param("SELECT difference(max(message)) FROM events "
                 "WHERE time >= '2023-12-31T23:00:00Z' AND time < '2023-12-31T23:50:00Z' "
                 "GROUP BY time(10m) ORDER BY time DESC", id="max-of-strings-bucket-maps-none"),
    pytest.param("SELECT derivative(ok) FROM events WHERE time >= '2024-01-05T00:00:00Z' "
                 "AND time < '2024-01-06T00:00:00Z'", id="derivative-of-booleans-empty-range"),
    pytest.param("SELECT max(v), min(v), id FROM gauge", id="mixing-selectors-and-tag"),
    pytest.param(f"SELECT foo(usage_user) FROM cpu WHERE {W}", id="unknown-function"),
    pytest.param(f"SELECT mean() FROM cpu WHERE {W}", id="mean-no-args"),
    pytest.param(f"SELECT mean(usage_user, 2) FROM cpu WHERE {W}", id="mean-two-args"),
    pytest.param(f"SELECT count(usage_user, 1) FROM cpu WHERE {W}", id="count-two-args"),
    pytest.param(f"SELECT top(usage_user) FROM cpu WHERE {W}", id="top-one-arg"),
    pytest.param(f"SELECT top(usage_user, 0) FROM cpu WHERE {W}", id="top-zero"),
    pytest.param(f"SELECT top(usage_user, host) FROM cpu WHERE {W}", id="top-no-count"),
    pytest.param(f"SELECT bottom(usage_user, 2, host) FROM cpu WHERE {W}",
                 id="bottom-count-not-last"),
    pytest.param(f"SELECT top(usage_user, 2), mean(usage_user) FROM cpu WHERE {W}",
                 id="top-with-aggregate"),
    pytest.param(f"SELECT top(code, 2), elapsed(code) FROM events WHERE {W}",
                 id="top-with-transformation"),
    pytest.param(f"SELECT cumulative_sum(bottom(code, 2)) FROM events WHERE {W} "
                 "GROUP BY time(10m)", id="bottom-inside-transformation"),
    # top()/bottom()'s own checks, in 1.x's order: a second one, the count, the limit, the
    # LIMIT, the first argument as reduce leaves it (a field, not a wildcard), then the tags
    pytest.param(f"SELECT top(1, 3) FROM events WHERE {W}", id="top-literal-first-argument"),
    pytest.param(f"SELECT bottom('a', 3) FROM events WHERE {W}",
                 id="bottom-string-first-argument"),
    pytest.param(f"SELECT top(1 + 1, 3), abs(top(abs(1.5), 2)) FROM events WHERE {W}",
                 id="top-folded-first-argument"),
    pytest.param(f"SELECT bottom(abs(latency), 3) FROM events WHERE {W}",
                 id="bottom-math-first-argument"),
    pytest.param(f"SELECT top(mean(latency), 3) FROM events WHERE {W}",
                 id="top-call-first-argument"),
    pytest.param(f"SELECT top(*, 3) FROM events WHERE {W}", id="top-wildcard-first-argument"),
    pytest.param(f"SELECT bottom(/lat/, 3) FROM events WHERE {W}",
                 id="bottom-regex-first-argument"),
    pytest.param(f"SELECT top(1, 2, 3) FROM events WHERE {W}",
                 id="top-first-argument-before-tags"),
    pytest.param(f"SELECT top(1, 1.5) FROM events WHERE {W}",
                 id="top-limit-before-first-argument"),
    pytest.param(f"SELECT top(1, 30) FROM events WHERE {W} LIMIT 2",
                 id="top-statement-limit-before-first-argument"),
    pytest.param(f"SELECT top(latency, 'a', 2) FROM events WHERE {W}", id="top-string-tag"),
    pytest.param(f"SELECT top(latency, abs(code), 2) FROM events WHERE {W}",
                 id="top-math-tag"),
    pytest.param(f"SELECT top(latency, 3), bottom(1, 2) FROM events WHERE {W}",
                 id="top-second-refused-before-arguments"),
    pytest.param(f"SELECT mean(ok), top(latency, 0) FROM events WHERE {W}",
                 id="top-arguments-before-combination"),
    pytest.param(f"SELECT top(), mean(1) FROM events WHERE {W}",
                 id="top-arguments-before-later-field"),
    pytest.param(f"SELECT percentile(usage_user) FROM cpu WHERE {W}", id="percentile-one-arg"),
    pytest.param(f"SELECT percentile(usage_user, 'x') FROM cpu WHERE {W}",
                 id="percentile-string"),
    pytest.param(f"SELECT sample(usage_user, 0) FROM cpu WHERE {W}", id="sample-zero"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {W} GROUP BY time(10m)",
                 id="group-by-time-without-aggregate"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE {W} GROUP BY time(0s)",
                 id="group-by-time-zero"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE {W} GROUP BY time(10m), time(5m)",
                 id="group-by-time-twice"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE {W} GROUP BY time(10m, 2h)",
                 id="group-by-offset-larger"),
    pytest.param(f"SELECT derivative(usage_user) FROM cpu WHERE {W} GROUP BY time(10m)",
                 id="derivative-raw-with-group-by-time"),
    pytest.param(f"SELECT derivative(mean(usage_user)) FROM cpu WHERE {W}",
                 id="derivative-aggregate-without-group-by-time"),
    pytest.param(f"SELECT derivative(usage_user, -1s) FROM cpu WHERE {W}",
                 id="derivative-negative-unit"),
    pytest.param(f"SELECT derivative(usage_user, 'x') FROM cpu WHERE {W}",
                 id="derivative-string-unit"),
    pytest.param(f"SELECT difference(usage_user, 2) FROM cpu WHERE {W}", id="difference-two"),
    pytest.param(f"SELECT moving_average(usage_user) FROM cpu WHERE {W}",
                 id="moving-average-no-window"),
    pytest.param(f"SELECT moving_average(usage_user, 1) FROM cpu WHERE {W}",
                 id="moving-average-window-one"),
    pytest.param(f"SELECT holt_winters(usage_user, 3, 0) FROM cpu WHERE {W}",
                 id="holt-winters-raw"),
    pytest.param(f"SELECT holt_winters(mean(usage_user), 0, 0) FROM cpu WHERE {W} "
                 "GROUP BY time(10m)", id="holt-winters-zero-points"),
    pytest.param(f"SELECT cumulative_sum() FROM cpu WHERE {W}", id="cumulative-sum-no-args"),
    pytest.param(f"SELECT elapsed(usage_user, 0s) FROM cpu WHERE {W}", id="elapsed-zero-unit"),
    pytest.param(f"SELECT integral(usage_user, 'x') FROM cpu WHERE {W}",
                 id="integral-string-unit"),
    pytest.param(f"SELECT abs(usage_user, 2) FROM cpu WHERE {W}", id="abs-two-args"),
    pytest.param(f"SELECT pow(usage_user) FROM cpu WHERE {W}", id="pow-one-arg"),
    pytest.param(f"SELECT atan2(usage_user) FROM cpu WHERE {W}", id="atan2-one-arg"),
    pytest.param(f"SELECT log(usage_user) FROM cpu WHERE {W}", id="log-one-arg"),
    pytest.param(f"SELECT exponential_moving_average(price) FROM stock WHERE {W}",
                 id="ema-no-period"),
    pytest.param(f"SELECT exponential_moving_average(price, 1) FROM stock WHERE {W} "
                 "AND symbol = 'BBB' LIMIT 5",
                 id="ema-period-one"),
    pytest.param(f"SELECT relative_strength_index(price, 5, -1) FROM stock WHERE {W} "
                 "AND symbol = 'BBB' LIMIT 5",
                 id="rsi-negative-hold"),
    # their first argument is checked as 1.x's reduce leaves it: math of literals is nil
    pytest.param(f"SELECT exponential_moving_average(abs(1), 2) FROM stock WHERE {W}",
                 id="ema-of-math-of-literal"),
    pytest.param(f"SELECT chande_momentum_oscillator(abs(/p/), 2) FROM stock WHERE {W} "
                 "GROUP BY time(10m)", id="cmo-of-math-of-regex-by-time"),
    pytest.param(f"SELECT holt_winters(abs(1), 1, 0) FROM cpu WHERE {W} GROUP BY time(10m)",
                 id="holt-winters-of-math-of-literal-by-time"),
    pytest.param(f"SELECT holt_winters((abs(abs(2))), 1, 0) FROM cpu WHERE {W}",
                 id="holt-winters-of-nested-math-of-literal"),
    pytest.param(f"SELECT mean(message) FROM events WHERE {W}", id="mean-of-strings"),
    pytest.param(f"SELECT sum(ok) FROM events WHERE {W}", id="sum-of-booleans"),
    pytest.param(f"SELECT median(message) FROM events WHERE {W}", id="median-of-strings"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE {W} GROUP BY time(10m) "
                 "tz('Mars/Olympus')", id="unknown-tz"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE host =~ /(/ AND {W}", id="bad-regex"),
    pytest.param(f"SELECT /(/ FROM cpu WHERE {W}", id="bad-field-regex"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE time > 'yesterday' AND {W}",
                 id="bad-time-string"),
    pytest.param("SELECT usage_user FROM cpu WHERE time > now() - 1x", id="bad-duration"),
    pytest.param(f"SELECT count(distinct(usage_user), 2) FROM cpu WHERE {W}",
                 id="count-distinct-extra-arg"),
    pytest.param(f"SELECT distinct(usage_user), mean(usage_user) FROM cpu WHERE {W}",
                 id="distinct-with-aggregate"),
    pytest.param(f"SELECT count(distinct(code)), distinct(code) FROM events WHERE {W}",
                 id="distinct-beside-count-distinct"),
    # top() and bottom() beside other calls are refused before distinct() is
    pytest.param(f"SELECT distinct(usage_user), bottom(usage_user, 1) FROM cpu WHERE {W}",
                 id="distinct-beside-bottom"),
    pytest.param(f"SELECT count(distinct(code)), code FROM events WHERE {W}",
                 id="count-distinct-beside-field"),
    pytest.param(f"SELECT count(distinct(code)), top(code, 2) FROM events WHERE {W}",
                 id="count-distinct-beside-top"),
    # distinct() takes one field, never a wildcard or regex (1.x does not expand it), checked
    # while compiling its field: before the list's checks, also inside count() and math
    pytest.param("SELECT distinct(*) FROM events", id="distinct-wildcard"),
    pytest.param(f"SELECT distinct(/co/) FROM events WHERE {W} GROUP BY time(30m)",
                 id="distinct-regex-by-time"),
    pytest.param("SELECT code, count(distinct(/co/)) FROM events",
                 id="count-distinct-regex-beside-field"),
    pytest.param("SELECT abs(distinct(*)) FROM events", id="math-of-distinct-wildcard"),
    pytest.param("SELECT distinct(*) FROM nosuch", id="distinct-wildcard-unknown-measurement"),
    pytest.param("SELECT mean(m) FROM (SELECT distinct(/co/) AS m FROM events)",
                 id="distinct-regex-in-subquery"),
    pytest.param("SELECT count(distinct(*), 2) FROM events",
                 id="count-distinct-wildcard-count-arity-first"),
    pytest.param("SELECT mean(code), distinct(code, latency) FROM events",
                 id="distinct-two-arguments"),
    pytest.param("SELECT count(distinct()) FROM events", id="count-distinct-no-argument"),
    pytest.param(f"SELECT mean(mean(usage_user)) FROM cpu WHERE {W} GROUP BY time(10m)",
                 id="nested-aggregate"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {W} SLIMIT -1", id="negative-slimit"),
    pytest.param(f"SELECT time FROM cpu WHERE {W}", id="only-time"),
    pytest.param(f"SELECT * FROM (SELECT usage_user FROM cpu WHERE {W}) GROUP BY time(10m)",
                 id="subquery-group-by-time-raw"),
    pytest.param(f"SELECT max(usage_user) FROM cpu WHERE {W} GROUP BY time(10m) fill(previous) "
                 "ORDER BY usage_user", id="order-by-non-time"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {W} AND time > now() OR host = 'a'",
                 id="time-or-tag"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE {W} GROUP BY usage_user",
                 id="group-by-field"),
]

REQUEST = [
    pytest.param("SELECT usage_user FROM cpu LIMIT 1", {"db": None}, id="missing-db"),
    pytest.param("SELECT usage_user FROM cpu LIMIT 1", {"db": "nosuchdb"}, id="unknown-db"),
    pytest.param('SELECT * FROM "nosuchdb".."cpu" LIMIT 1', id="unknown-db-in-source"),
    pytest.param('SELECT * FROM "iql"."nosuchrp"."cpu" LIMIT 1', id="unknown-rp-in-source"),
    pytest.param("SELECT usage_user FROM cpu LIMIT 1", {"rp": "nosuchrp"}, id="unknown-rp-param"),
    pytest.param("SELECT usage_user FROM cpu LIMIT 1", {"db": ""}, id="empty-db-param"),
    # SHOW statements 1.x rewrites into a SELECT check the policy; the index-read ones do not.
    pytest.param('SHOW FIELD KEYS FROM "nosuchrp"."cpu"', id="field-keys-unknown-rp"),
    pytest.param("SHOW FIELD KEYS", {"rp": "nosuchrp"}, id="field-keys-unknown-rp-param"),
    pytest.param('SHOW FIELD KEYS FROM "autogen".cpu', {"rp": "nosuchrp"},
                 id="field-keys-named-rp-beats-param"),
    pytest.param('SHOW SERIES FROM "nosuchrp"./nomatch/', id="series-unknown-rp-regex"),
    pytest.param("SHOW SERIES", {"rp": "nosuchrp"}, id="series-unknown-rp-param"),
    pytest.param('SHOW TAG KEY CARDINALITY FROM "nosuchrp"."cpu"',
                 id="tag-key-cardinality-unknown-rp"),
    pytest.param("SHOW MEASUREMENT EXACT CARDINALITY", {"rp": "nosuchrp"},
                 id="measurement-cardinality-unknown-rp-param"),
    pytest.param('SHOW TAG VALUES FROM "nosuchrp"."cpu" WITH KEY = "host"',
                 id="tag-values-unknown-rp-unchecked"),
    pytest.param('SHOW TAG KEYS FROM "cpu"', {"rp": "nosuchrp"},
                 id="tag-keys-unknown-rp-param-unchecked"),
    pytest.param("SHOW TAG KEYS", {"db": None}, id="show-tag-keys-without-db"),
    pytest.param("SHOW SERIES", {"db": None}, id="show-series-without-db"),
    pytest.param("SHOW RETENTION POLICIES", {"db": None}, id="show-rp-without-db"),
    pytest.param("SHOW FIELD KEYS ON nosuchdb", id="field-keys-on-unknown-db"),
    pytest.param("SHOW SERIES ON nosuchdb", id="series-on-unknown-db"),
    pytest.param("SHOW TAG VALUES ON nosuchdb WITH KEY = host", id="tag-values-on-unknown-db"),
    pytest.param("SHOW SERIES EXACT CARDINALITY", {"db": None},
                 id="series-cardinality-without-db"),
    pytest.param("SELECT usage_user FROM cpu LIMIT 1", {"chunked": "maybe"},
                 id="bad-chunked-param"),
    pytest.param("SELECT usage_user FROM cpu LIMIT 1", {"chunk_size": "x", "chunked": "true"},
                 id="bad-chunk-size"),
]

CASES = PARSE + SEMANTIC + REQUEST
