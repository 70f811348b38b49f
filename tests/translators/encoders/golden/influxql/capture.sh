#!/bin/sh
# Re-capture the golden answers from a real InfluxDB 1.6.7: URL=http://127.0.0.1:PORT sh capture.sh
# (a fresh server: CREATE DATABASE d, then write the three points-*.lp files and 10001 rows of
# `big v=<i>i <i>`; the GET of CREATE DATABASE d2 below also makes the warning message).
set -eu
cd "$(dirname "$0")"
q() { # file accept query [extra params]
  out=$1 accept=$2 query=$3; shift 3
  curl -sG -H "Accept: $accept" "$URL/query?db=d$*" --data-urlencode "q=$query" -o "$out"
}
J=application/json C=application/csv M=application/x-msgpack
SEL="SELECT * FROM cpu GROUP BY host"
MULTI="SELECT x FROM cpu WHERE host='c' GROUP BY host;SHOW DATABASES;SELECT * FROM nope;SELECT foo(x) FROM cpu"
CHUNK="SELECT x FROM cpu GROUP BY host;SELECT free FROM mem;SELECT * FROM nope;SHOW DATABASES;SHOW TAG VALUES WITH KEY=host;SELECT foo(x) FROM cpu"
SHOWS="CREATE DATABASE d2;SHOW RETENTION POLICIES ON d;SHOW TAG VALUES ON d WITH KEY = host"
q select.json $J "$SEL"
q multi-pretty.json $J "$MULTI" "&pretty=true"
for e in ns u ms s m h x; do q "epoch-$e.json" $J "SELECT x FROM cpu WHERE host='c'" "&epoch=$e"; done
q strings.json $J "SELECT * FROM str GROUP BY k"
q group-all.json $J "SELECT * FROM cpu, mem, str GROUP BY *"
q shows.json $J "$SHOWS"
q chunked.json $J "$CHUNK" "&chunked=true&chunk_size=2"
q chunked-pretty.json $J "SELECT free FROM mem;SHOW DATABASES" "&chunked=true&chunk_size=1&pretty=true"
q inf.json $J "SELECT ln(x) FROM cpu WHERE host='c'"
q error.json $J "SELECT x FROM"
q error-pretty.json $J "SELECT x FROM" "&pretty=true"
q big.json $J "SELECT v FROM big" "&epoch=ns"
tail -c 120 big.json > big-tail.json && rm big.json
q select.csv $C "$SEL;SHOW DATABASES;SELECT * FROM nope;SELECT foo(x) FROM cpu"
q select-epoch-s.csv $C "$SEL" "&epoch=s"
q group-all.csv $C "SELECT * FROM cpu, mem, str GROUP BY *"
q skip-empty.csv $C "SELECT * FROM nope;SHOW DATABASES"
q error-first.csv $C "SELECT foo(x) FROM cpu"
q chunked.csv $C "$CHUNK" "&chunked=true&chunk_size=2"
q error.csv $C "SELECT x FROM"
q diagnostics.csv $C "SHOW DIAGNOSTICS"
head -5 diagnostics.csv > diagnostics-head.csv && rm diagnostics.csv
q select.msgpack $M "$SEL"
q multi.msgpack $M "$MULTI"
q shows.msgpack $M "$SHOWS"
q ints.msgpack $M "SELECT v FROM ints" "&epoch=ns"
q chunked.msgpack $M "$CHUNK" "&chunked=true&chunk_size=2"
q error.msgpack $M "SELECT x FROM"
