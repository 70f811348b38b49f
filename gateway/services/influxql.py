"""InfluxQL on the native store: statements parsed, read-only ones translated to SQL and run
on a query worker, the rest applied through the store's writer.

Answers follow 1.x: a parse error fails the whole request; an error in one statement is that
statement's result, and the statements after it are not run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import cachetools

from gateway.backends.native.reader import Reader
from gateway.backends.native.schema import CatalogSchema
from gateway.backends.native.store import NativeStore
from gateway.backends.upstream.base import UpstreamReply
from gateway.errors import GatewayError, QueryTimedOut, StoreDown, invalid
from gateway.model import Generation, PassCredentials
from gateway.services import select_into
from gateway.services.retention import RetentionStatements
from translators.encoders.influxql_chunks import Chunking
from translators.influxql import ast, deletion, engine, shapes, show_run
from translators.influxql.errors import InfluxQLParseError, QueryError, StatementPanic
from translators.influxql.parser import GO_SPACE, TOO_DEEP, parse_query
from translators.influxql.render import render
from translators.influxql.results import Message, Series, StatementResult, stopped_at
from translators.influxql.timerange import TimeConditionError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class InfluxQLRequest:
    text: str
    database: str | None = None
    retention_policy: str | None = None
    params: Mapping[str, Any] | None = None
    read_only: bool = False  # a GET request: 1.x warns about statements that write
    single_statement: bool = False  # InfluxDB 3 takes one statement per request
    # What an upstream needs to answer as the caller asked (the native store ignores these).
    caller: Generation = Generation.V1
    accept: str | None = None
    epoch: str | None = None
    chunked: bool = False
    chunk_size: int | None = None
    pretty: bool = False
    params_text: str | None = None  # `params` as sent
    credentials: PassCredentials | None = None
    # Whether the caller has gone: the native store then stops reading for it.
    gone: Callable[[], bool] | None = None


@dataclass(slots=True)
class InfluxQLAnswer:
    results: list[StatementResult] = field(default_factory=list)
    # How 1.x splits each statement's answer into chunks (encoders need it).
    chunking: dict[int, Chunking] = field(default_factory=dict)
    # An upstream's answer, relayed unchanged to a caller of its generation.
    relay: UpstreamReply | None = None

    @classmethod
    def of(cls, results: list[StatementResult],
           statements: Sequence[ast.Statement]) -> InfluxQLAnswer:
        """Results of `statements`, each chunked as 1.x chunks its kind of statement."""
        return cls(results=results,
                   chunking={i: chunking_for(s) for i, s in enumerate(statements)})


def chunking_for(statement: ast.Statement) -> Chunking:
    if isinstance(statement, ast.SelectStatement | ast.ShowSeries | ast.ShowFieldKeys):
        return Chunking.ROWS
    if isinstance(statement, ast.ShowTagKeys | ast.ShowTagValues):
        return Chunking.SERIES
    return Chunking.WHOLE


class InfluxQLService:
    def __init__(self, store: NativeStore, limits: engine.Limits,
                 timeout: float | None = None) -> None:
        self._store = store
        self._limits = limits
        self._timeout = timeout  # for the whole request: each read has it too
        self._retention = RetentionStatements(store)

    def databases(self) -> list[str]:
        return self._store.databases()

    async def execute(self, request: InfluxQLRequest) -> InfluxQLAnswer:
        now = time.time_ns()
        statements = await parse_request(request.text, request.params)
        if request.single_statement and len(statements) != 1:
            raise invalid("must provide only one InfluxQl statement per query")
        answer = InfluxQLAnswer()
        results = answer.results
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        for index, statement in enumerate(statements):
            result = StatementResult(index)
            answer.chunking[index] = chunking_for(statement)
            try:
                # thousands of quick statements, each within the timeout, must not make a
                # request that outlasts it: the next one fails as a read past it does
                if deadline is not None and index and time.monotonic() > deadline:
                    raise QueryTimedOut(self._timeout)
                await self._run(statement, request, now, result)
            except StatementPanic as exc:
                results.append(StatementResult(
                    -1, error=f"{self._panic_text(statements, index, request)} {exc}"))
                break
            except (QueryError, TimeConditionError) as exc:
                result.error = str(exc)
            except StoreDown:  # no statement can run: the whole request is refused
                raise
            except GatewayError as exc:
                result.error = exc.message
            except RecursionError:  # a tree the parser's depth limit let through, too deep
                result.error = TOO_DEEP  # for a pass: the statement's error, not a 500
            if result.error is not None:
                result.series = []
                answer.results = stopped_at(results, result, len(statements), request.chunked)
                break
            results.append(result)
        return answer

    def _panic_text(self, statements: list[ast.Statement], index: int,
                    request: InfluxQLRequest) -> str:
        """The query as 1.x's executor shows it after recovering from a panic: the statements
        it ran, the failing one included, with their sources qualified, then the rest."""
        shown: list[ast.Statement] = []
        for number, statement in enumerate(statements):
            if (number <= index and isinstance(statement, ast.SelectStatement)
                    and request.database):
                statement = select_into.qualified(
                    statement, request.database,
                    lambda db: request.retention_policy or self._retention.resolve(db, None))
            shown.append(statement)
        return ";\n".join(render(s) for s in shown)

    async def _run(self, statement: ast.Statement, request: InfluxQLRequest, now: int,
                   result: StatementResult) -> None:
        database = request.database
        if isinstance(statement, ast.CreateDatabase):
            await self._retention.create_database(statement)
            self._warn_get(statement, request, result)
            return
        if isinstance(statement, ast.CreateRetentionPolicy | ast.AlterRetentionPolicy
                      | ast.DropRetentionPolicy):
            await self._retention.change(statement)
            self._warn_get(statement, request, result)
            return
        if isinstance(statement, ast.DropDatabase):
            if statement.name in self._store.databases():  # 1.x: dropping none is fine
                await self._store.drop_database(statement.name)
            self._warn_get(statement, request, result)
            return
        if isinstance(statement, ast.DropMeasurement):
            db = database or ""
            if db not in self._store.databases():
                raise QueryError(f"database not found: {db}")
            if self._store.catalog.table(db, statement.name) is not None:
                await self._store.delete_rows(db, statement.name, None)
            self._warn_get(statement, request, result)
            return
        if isinstance(statement, ast.Delete | ast.DropSeries):
            db = database or ""
            if db not in self._store.databases():
                raise QueryError(f"database not found: {db}")
            schema = CatalogSchema(self._store.catalog)
            for measurement in deletion.deletion_targets(statement, db, schema):
                condition = deletion.deletion_condition(statement, measurement, now)
                await self._store.delete_rows(db, measurement.name, condition)
            self._warn_get(statement, request, result)
            return
        if isinstance(statement, ast.ShowDatabases):
            names = self._store.databases()
            result.series = [Series("databases", ["name"], [[n] for n in names])]
            return
        if isinstance(statement, ast.ShowRetentionPolicies):
            db = _required(statement.database or database)
            if db not in self._store.databases():
                raise QueryError(f"database not found: {db}")
            result.series = self._retention.show(db)
            return
        if isinstance(statement, ast.OtherStatement) and statement.kind == "SHOW GRANTS":
            raise QueryError("user not found")  # the gateway has no users
        if isinstance(statement, ast.OtherStatement) and statement.kind in _EMPTY_ANSWERS:
            result.series = _EMPTY_ANSWERS[statement.kind](self._store.databases())
            return
        if isinstance(statement, ast.SelectStatement) and statement.target is not None:
            await self._select_into(statement, request, now, result)
            return
        if isinstance(statement, _READS):
            self._check_database(statement, database)
            self._check_policies(statement, request)
            result.series = await self._store.read(
                lambda reader: _read(statement, database, reader, now, self._limits),
                request.gone)
            return
        raise QueryError(f"{_describe(statement)} is not supported yet by influx-gateway")

    def _check_database(self, statement: ast.Statement, database: str | None) -> None:
        if isinstance(statement, ast.ShowMeasurements) or show_run.estimated_cardinality(
                statement):
            return  # 1.x answers these on a missing database with nothing, or a count of 0
        named = getattr(statement, "database", None) or database
        sources = getattr(statement, "sources", ())
        if isinstance(statement, ast.SelectStatement):
            for source in sources:
                if isinstance(source, ast.Measurement) and source.database:
                    named = source.database
            if named is None:
                raise QueryError("database name required")
        elif _rewritten_to_select(statement):
            # 1.x reads these through a SELECT whose sources keep the databases they name
            for source in sources:
                if (isinstance(source, ast.Measurement) and source.database
                        and source.database not in self._store.databases()):
                    raise QueryError(f"database not found: {source.database}")
            if sources and all(isinstance(s, ast.Measurement) and s.database for s in sources):
                named = None  # ON's database is read by none of them, nor checked
        if named is not None and named not in self._store.databases():
            raise QueryError(f"database not found: {named}")

    def _check_policies(self, statement: ast.Statement, request: InfluxQLRequest) -> None:
        """Every source of a SELECT must name (or default to) a policy its database has;
        1.x answers "retention policy not found" otherwise. So must those of the SHOW
        statements 1.x rewrites into a SELECT (SHOW FIELD KEYS, SHOW SERIES, the counted
        cardinalities), a statement without FROM reading the request's policy; SHOW TAG
        KEYS/VALUES and SHOW MEASUREMENTS read the index and check none."""
        if isinstance(statement, ast.SelectStatement):
            for source in statement.sources:
                if isinstance(source, ast.SubQuery):
                    self._check_policies(source.statement, request)
                else:
                    self._resolve_policy(source, request.database, request)
            return
        if not _rewritten_to_select(statement):
            return
        assert isinstance(statement, ast.ShowFieldKeys | ast.ShowSeries | ast.ShowCardinality)
        database = statement.database or request.database
        sources = statement.sources or (ast.Measurement(),)
        for source in sources:
            if isinstance(source, ast.Measurement):
                self._resolve_policy(source, database, request)

    def _resolve_policy(self, source: ast.Measurement, database: str | None,
                        request: InfluxQLRequest) -> None:
        """The policy a source names, or the request's, must exist in the source's database
        (else `database`); without any database there is nothing to check."""
        if source.database or database:
            self._retention.resolve(source.database or database or "",
                                    source.retention_policy or request.retention_policy)

    async def _select_into(self, statement: ast.SelectStatement, request: InfluxQLRequest,
                           now: int, result: StatementResult) -> None:
        database = request.database
        self._check_database(statement, database)
        self._check_policies(statement, request)
        assert statement.target is not None
        where = select_into.destination(self._store, statement.target, database,
                                        request.retention_policy)

        async def run_select(plain: ast.SelectStatement) -> list[Series]:
            return await self._store.read(  # type: ignore[no-any-return]
                lambda reader: _read(plain, database, reader, now, self._limits), request.gone)

        result.series = [await select_into.select_into(self._store, statement, where,
                                                       run_select)]
        if request.read_only:
            shown = select_into.qualified(
                statement, database or where.database,
                lambda db: request.retention_policy or self._retention.resolve(db, None))
            self._warn_get(shown, request, result)

    @staticmethod
    def _warn_get(statement: ast.Statement, request: InfluxQLRequest,
                  result: StatementResult) -> None:
        if request.read_only:
            result.messages.append(Message(
                "warning", f"deprecated use of '{render(statement)}' in a read only context, "
                           "please use a POST request instead"))


# What 1.x answers for the user, query and subscription lists on a server that has none of
# them (the gateway keeps no users, continuous queries or subscriptions).
_EMPTY_ANSWERS = {
    "SHOW USERS": lambda databases: [Series("", ["user", "admin"])],
    "SHOW CONTINUOUS QUERIES": lambda databases: [Series(db, ["name", "query"])
                                                  for db in databases],
    "SHOW SUBSCRIPTIONS": lambda databases: [],
}

_READS = (ast.SelectStatement, ast.ShowMeasurements, ast.ShowTagKeys, ast.ShowTagValues,
          ast.ShowFieldKeys, ast.ShowSeries, ast.ShowCardinality)


# Statements this short parse faster on the event loop than a hop to a worker thread takes.
INLINE_PARSE = 1024


async def parse_request(text: str, params: Mapping[str, Any] | None) -> list[ast.Statement]:
    if len(text) <= INLINE_PARSE:
        return parse_statements(text, params)
    return await asyncio.to_thread(parse_statements, text, params)


def parse_statements(text: str, params: Mapping[str, Any] | None) -> list[ast.Statement]:
    try:
        if params or len(text) > _CACHED_TEXT:
            return parse_query(text, params)
        with _PARSED_LOCK:
            found = _PARSED.get(text)
        if found is None:
            found = _parse_by_shape(text)
            if all(isinstance(s, _CACHED_KINDS) for s in found):
                with _PARSED_LOCK:
                    _PARSED[text] = found
        return list(found)
    except InfluxQLParseError as exc:
        raise invalid(f"error parsing query: {exc}") from None


# Dashboards send the same few statements again and again (a relative time range such as
# `now() - 6h` keeps the text unchanged), and a parse costs about 0.3 ms. Statements are
# immutable and depend on their text alone (now() is read when a statement runs), so reads
# without bound parameters are kept; errors are not, nor statements that change things (a
# CREATE USER's password has no business staying in memory).
_CACHED_TEXT = 8192
_CACHED_KINDS = (ast.SelectStatement, ast.ShowDatabases, ast.ShowMeasurements, ast.ShowTagKeys,
                 ast.ShowTagValues, ast.ShowFieldKeys, ast.ShowSeries,
                 ast.ShowRetentionPolicies, ast.ShowCardinality, ast.Explain)
_PARSED: cachetools.LRUCache[str, tuple[ast.Statement, ...]] = cachetools.LRUCache(1024)
_PARSED_LOCK = threading.Lock()  # statements are also parsed in worker threads


def _parse_by_shape(text: str) -> tuple[ast.Statement, ...]:
    """The statements of `text`, from the template of its shape when one is kept
    (`shapes.py`: the same SELECT with new time bounds, as a dashboard sends it)."""
    trimmed = text.strip(GO_SPACE)
    quick = shapes.quick_shape(trimmed)
    if quick is not None:
        with _PARSED_LOCK:
            kept = _SHAPES.get(quick.key)
        if isinstance(kept, shapes.Template):
            statement = shapes.bind(kept, quick)
            if statement is not None:
                return (statement,)
    shape = shapes.shape_of(trimmed)
    if shape is None:
        return tuple(parse_query(text))
    with _PARSED_LOCK:
        kept = _SHAPES.get(shape.key, _UNSEEN)
    if isinstance(kept, shapes.Template):
        statement = shapes.bind(kept, shape)
        if statement is not None:
            if quick is not None and shapes.agree(quick, shape):
                with _PARSED_LOCK:
                    _SHAPES[quick.key] = kept
            return (statement,)
    found = tuple(parse_query(text))
    if kept is _UNSEEN and len(found) == 1 and len(shape.key) <= _SHAPE_TOKENS // 16:
        made = shapes.template(found[0], shape)
        if made is not None or shapes.distinct_values(shape):
            with _PARSED_LOCK:  # None: this shape's literals cannot be placed, for any values
                _SHAPES[shape.key] = made
                if made is not None and quick is not None and shapes.agree(quick, shape):
                    _SHAPES[quick.key] = made
    return found


# Templates by shape (the scanner's key, and the quick key where the two agree); None for a
# shape seen whose literals cannot be placed. Statements depend on their text alone, so
# nothing else (schema, database, policy, time) is part of the key. Weighed by tokens, as an
# entry and its key hold about 230 bytes a token: a dashboard's statement of 60 tokens costs
# 14 KB, one of 600 OR'ed values 430 KB, so a count of entries would bound nothing. The
# budget holds about 25 MB.
_SHAPE_TOKENS = 100_000


def _tokens(kept: shapes.Template | None) -> int:
    return 1 if kept is None else kept.tokens


_SHAPES: cachetools.LRUCache[tuple[Any, ...], shapes.Template | None] = cachetools.LRUCache(
    _SHAPE_TOKENS, getsizeof=_tokens)
_UNSEEN = object()


def _rewritten_to_select(statement: ast.Statement) -> bool:
    """The SHOW statements 1.6.7 answers by rewriting them into a SELECT over its system
    sources; an estimated SERIES or MEASUREMENT cardinality is not."""
    if isinstance(statement, ast.ShowFieldKeys | ast.ShowSeries):
        return True
    return (isinstance(statement, ast.ShowCardinality)
            and not show_run.estimated_cardinality(statement))


def _required(database: str | None) -> str:
    if not database:
        raise QueryError("database name required")
    return database


def _describe(statement: ast.Statement) -> str:
    if isinstance(statement, ast.OtherStatement):
        return statement.kind
    return type(statement).__name__


def _read(statement: ast.Statement, database: str | None, reader: Reader, now: int,
          limits: engine.Limits) -> list[Series]:
    schema = CatalogSchema(reader.catalog)
    run = reader.run
    match statement:
        case ast.SelectStatement():
            return engine.select(statement, database, schema, run, now,
                                 dataclasses.replace(limits, cancel=reader.cancel),
                                 reader.series_times)
        case ast.ShowMeasurements():
            return show_run.show_measurements(statement, database, schema, run)
        case ast.ShowTagKeys():
            return show_run.show_tag_keys(statement, database, schema, run)
        case ast.ShowTagValues():
            return show_run.show_tag_values(statement, database, schema, run)
        case ast.ShowFieldKeys():
            return show_run.show_field_keys(statement, database, schema)
        case ast.ShowSeries():
            return show_run.show_series(statement, database, schema, run)
        case ast.ShowCardinality():
            return show_run.show_cardinality(statement, database, schema, run)
    raise QueryError(f"{_describe(statement)} is not supported yet by influx-gateway")
