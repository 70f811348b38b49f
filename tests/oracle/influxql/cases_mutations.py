"""Statements that change data or schema. Each runs in its own fresh copy of a slice of the
dataset (database `{db}`) on both servers; the suite POSTs the statement, compares its answer
and then each follow-up query's. Each case is `pytest.param(statement, follow_ups, id=...)`,
with `{db}` standing for the copy's name; a statement sent without the `db` parameter starts
with `NODB:`, one sent by GET with `GET:`.
"""

from __future__ import annotations

import pytest

RPS = ["SHOW RETENTION POLICIES"]
COUNT = ["SELECT count(usage_user) FROM cpu GROUP BY host"]

CASES = [
    pytest.param("CREATE DATABASE {db}_new", ["SHOW RETENTION POLICIES ON {db}_new",
                                             "SHOW MEASUREMENTS ON {db}_new"],
                 id="create-database"),
    pytest.param("CREATE DATABASE {db}_rp WITH DURATION 3d REPLICATION 1 SHARD DURATION 1h "
                 "NAME short", ["SHOW RETENTION POLICIES ON {db}_rp"],
                 id="create-database-with-rp"),
    pytest.param("CREATE DATABASE {db}", COUNT, id="create-existing-database"),
    pytest.param('CREATE DATABASE ""', [], id="create-database-empty-name"),
    pytest.param("DROP DATABASE {db}", ["SHOW MEASUREMENTS", "SELECT * FROM cpu LIMIT 1"],
                 id="drop-database"),
    pytest.param("DROP DATABASE {db}_nosuch", COUNT, id="drop-missing-database"),
    pytest.param("CREATE RETENTION POLICY two ON {db} DURATION 2w REPLICATION 1", RPS,
                 id="create-rp"),
    pytest.param("CREATE RETENTION POLICY two ON {db} DURATION 2w REPLICATION 1 DEFAULT",
                 RPS + COUNT + ['SELECT count(usage_user) FROM "{db}"."autogen"."cpu"'],
                 id="create-rp-default"),
    pytest.param("CREATE RETENTION POLICY sd ON {db} DURATION 30d REPLICATION 1 "
                 "SHARD DURATION 2d", RPS, id="create-rp-shard-duration"),
    pytest.param("CREATE RETENTION POLICY forever ON {db} DURATION INF REPLICATION 1", RPS,
                 id="create-rp-infinite"),
    pytest.param("CREATE RETENTION POLICY tiny ON {db} DURATION 30m REPLICATION 1", RPS,
                 id="create-rp-too-short"),
    pytest.param("CREATE RETENTION POLICY autogen ON {db} DURATION 1d REPLICATION 1", RPS,
                 id="create-rp-conflicting"),
    pytest.param("CREATE RETENTION POLICY two ON {db} DURATION 2w REPLICATION 1; "
                 "ALTER RETENTION POLICY two ON {db} DURATION 4w SHARD DURATION 3d", RPS,
                 id="alter-rp"),
    pytest.param("ALTER RETENTION POLICY autogen ON {db} DURATION 100w", RPS,
                 id="alter-autogen"),
    pytest.param("ALTER RETENTION POLICY nosuch ON {db} DURATION 100w", RPS,
                 id="alter-missing-rp"),
    pytest.param("CREATE RETENTION POLICY two ON {db} DURATION 2w REPLICATION 1; "
                 "DROP RETENTION POLICY two ON {db}", RPS, id="drop-rp"),
    pytest.param("DROP RETENTION POLICY autogen ON {db}", RPS + COUNT, id="drop-default-rp"),
    pytest.param("DROP MEASUREMENT mem", ["SHOW MEASUREMENTS", "SELECT * FROM mem",
                                          "SHOW FIELD KEYS FROM mem", "SHOW TAG KEYS FROM mem"],
                 id="drop-measurement"),
    pytest.param("DROP MEASUREMENT nosuch", ["SHOW MEASUREMENTS"], id="drop-missing-measurement"),
    pytest.param("DROP SERIES FROM cpu WHERE host = 'server01'",
                 ["SHOW SERIES FROM cpu"] + COUNT, id="drop-series-from-where"),
    pytest.param("DROP SERIES WHERE region = 'eu'", ["SHOW SERIES", "SHOW TAG VALUES WITH KEY = "
                                                     "region"], id="drop-series-where"),
    pytest.param("DROP SERIES FROM disk", ["SHOW MEASUREMENTS", "SHOW SERIES"],
                 id="drop-series-from"),
    pytest.param("DROP SERIES FROM cpu WHERE time > '2024-01-01T00:00:00Z'",
                 ["SHOW SERIES FROM cpu"], id="drop-series-time-condition"),
    pytest.param("DELETE FROM cpu WHERE time < '2024-01-01T01:00:00Z'",
                 COUNT + ["SHOW SERIES FROM cpu"], id="delete-before"),
    pytest.param("DELETE FROM cpu WHERE host = 'server02'", COUNT + ["SHOW SERIES FROM cpu"],
                 id="delete-series"),
    pytest.param("DELETE WHERE time >= '2024-01-01T00:30:00Z' AND time < '2024-01-01T01:30:00Z'",
                 COUNT + ["SELECT count(used) FROM mem", "SHOW MEASUREMENTS"],
                 id="delete-window-everywhere"),
    pytest.param("DELETE FROM mem", ["SHOW MEASUREMENTS", "SELECT * FROM mem"],
                 id="delete-measurement"),
    pytest.param("DELETE FROM /^(mem|disk)$/ WHERE host = 'server01'",
                 ["SHOW SERIES", "SELECT count(used) FROM mem GROUP BY host"],
                 id="delete-regex-source"),
    pytest.param("DELETE", COUNT, id="delete-alone"),
    pytest.param("GET:DROP MEASUREMENT mem", ["SHOW MEASUREMENTS"], id="drop-measurement-get"),
    pytest.param("GET:SELECT count(usage_user) INTO copied FROM cpu", ["SHOW MEASUREMENTS"],
                 id="select-into-get"),
    pytest.param("SELECT mean(usage_user) INTO \"{db}\".\"autogen\".\"cpu_10m\" FROM cpu "
                 "WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T02:00:00Z' "
                 "GROUP BY time(10m), *",
                 ["SHOW MEASUREMENTS", "SHOW TAG KEYS FROM cpu_10m",
                  "SELECT * FROM cpu_10m WHERE host = 'server03'"], id="select-into"),
    pytest.param("NODB:DROP MEASUREMENT cpu", ["SHOW MEASUREMENTS"], id="drop-measurement-no-db"),
    pytest.param("NODB:DELETE FROM cpu", COUNT, id="delete-no-db"),
]
