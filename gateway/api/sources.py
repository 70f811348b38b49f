"""InfluxDB 2.x Sources API (/api/v2/sources): upstreams registered at runtime.

The wire names (orgID, insecureSkipVerify, metaUrl, defaultRP...) are read and written only
here. Unlike InfluxDB OSS, no answer ever carries a secret (token, password, sharedSecret),
PATCH's included, and /buckets and /health really ask the source.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from gateway.config import NATIVE
from gateway.errors import invalid
from gateway.services.sources import SELF_ID, SELF_TYPE, UPSTREAM_TYPES, SourceChange
from gateway.tenancy.metadata import Source

from . import keys, paths
from .body import read_json
from .errors import json_response

BODY_LIMIT = 1024 * 1024
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # also a replay-queue directory name
ID = re.compile(r"[0-9a-fA-F]{16}")
# Wire key -> SourceChange field, by JSON type. "org" (the upstream's 2.x organization) is
# the gateway's extension; PATCH also takes OSS's spelling "metaURL".
STRINGS = {"name": "name", "type": "type", "url": "url", "orgID": "org_id",
           "telegraf": "telegraf", "username": "username", "metaUrl": "meta_url",
           "metaURL": "meta_url", "defaultRP": "default_rp", "org": "org", "token": "token",
           "password": "password", "sharedSecret": "shared_secret"}
BOOLEANS = {"default": "is_default", "insecureSkipVerify": "insecure_skip_verify"}
READ_ONLY = frozenset({"id", "links", "languages", "role"})  # accepted and ignored, as OSS does
# What each kind of source answers; "sql" is outside the documented flux | influxql.
LANGUAGES = {"v1": ["influxql"], "v2": ["flux", "influxql"], "v3": ["influxql", "sql"],
             SELF_TYPE: ["influxql", "sql"]}


def _url_problem(value: str) -> str | None:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "is not a URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "expected an http:// or https:// URL"
    if parts.username is not None or parts.password is not None:
        # A URL is echoed back in answers: credentials have fields of their own.
        return "credentials go in username and password or token, not in the URL"
    return None


def parse_change(body: object) -> SourceChange:
    """A POST or PATCH body as a SourceChange; 400 `invalid` naming the first bad field."""
    if not isinstance(body, dict):
        raise invalid("the body must be a JSON object (a source)")
    values: dict[str, Any] = {}
    for key, value in body.items():
        if key in READ_ONLY or value is None:  # null: not given, as OSS applies non-null keys
            continue
        if key in STRINGS:
            if not isinstance(value, str):
                raise invalid(f"{key}: expected a string")
            field = STRINGS[key]
            if field in values and values[field] != value:
                raise invalid("metaUrl and metaURL differ: give one")
            values[field] = value
        elif key in BOOLEANS:
            if not isinstance(value, bool):
                raise invalid(f"{key}: expected true or false")
            values[BOOLEANS[key]] = value
        else:
            raise invalid(f"{key}: not a field of a source")
    if "name" in values and not NAME.fullmatch(values["name"]):
        raise invalid("name: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter "
                      "or digit")
    kind = values.get("type")
    if kind == SELF_TYPE:
        raise invalid("type: the self source is built in; register v1, v2 or v3")
    if kind is not None and kind not in UPSTREAM_TYPES:
        raise invalid(f"type: expected v1, v2 or v3, got {kind!r}")
    for key, field in (("url", "url"), ("metaUrl", "meta_url")):
        if values.get(field):
            problem = _url_problem(values[field])
            if problem:
                raise invalid(f"{key}: {problem}")
    if values.get("org_id") and not ID.fullmatch(values["org_id"]):
        raise invalid("orgID: expected 16 hexadecimal characters")
    return SourceChange(**values)


def _links(source_id: str) -> dict[str, str]:
    base = paths.V2_SOURCE.format(sourceID=source_id)
    return {"self": base, "query": paths.V2_SOURCE_QUERY.format(sourceID=source_id),
            "health": paths.V2_SOURCE_HEALTH.format(sourceID=source_id),
            "buckets": paths.V2_SOURCE_BUCKETS.format(sourceID=source_id)}


def source_document(source: Source) -> dict[str, object]:
    """A stored source as the API shows it: every field but the secrets."""
    document: dict[str, object] = {"id": source.id, "name": source.name, "type": source.type,
                                   "url": source.url, "default": source.is_default,
                                   "insecureSkipVerify": source.insecure_skip_verify}
    optional = {"orgID": source.org_id, "telegraf": source.telegraf,
                "username": source.username, "metaUrl": source.meta_url,
                "defaultRP": source.default_rp, "org": source.org}
    document.update((key, value) for key, value in optional.items() if value)
    document["languages"] = LANGUAGES[source.type]
    document["links"] = _links(source.id)
    return document


def _self_document(request: web.Request) -> dict[str, object]:
    return {"id": SELF_ID, "name": NATIVE, "type": SELF_TYPE,
            "default": request.app[keys.SOURCES].self_is_default(),
            "insecureSkipVerify": False, "languages": LANGUAGES[SELF_TYPE],
            "links": _links(SELF_ID)}


def _source_id(request: web.Request) -> str:
    source_id = request.match_info["sourceID"]
    if not ID.fullmatch(source_id):
        raise invalid("sourceID: expected 16 hexadecimal characters")
    return source_id.lower()


def _document(request: web.Request, source_id: str) -> dict[str, object]:
    source = request.app[keys.SOURCES].source(source_id)
    return _self_document(request) if source is None else source_document(source)


async def list_sources(request: web.Request) -> web.Response:
    # `org` is accepted and not applied: the gateway has no organizations yet.
    service = request.app[keys.SOURCES]
    documents = [_self_document(request), *(source_document(s) for s in service.sources())]
    return json_response({"links": {"self": paths.V2_SOURCES}, "sources": documents})


async def create_source(request: web.Request) -> web.Response:
    change = parse_change(await read_json(request, BODY_LIMIT))
    source = await request.app[keys.SOURCES].create(change)
    return json_response(source_document(source), 201)


async def get_source(request: web.Request) -> web.Response:
    return json_response(_document(request, _source_id(request)))


async def patch_source(request: web.Request) -> web.Response:
    source_id = _source_id(request)
    change = parse_change(await read_json(request, BODY_LIMIT))
    source = await request.app[keys.SOURCES].update(source_id, change)
    return json_response(source_document(source))


async def delete_source(request: web.Request) -> web.Response:
    await request.app[keys.SOURCES].delete(_source_id(request))
    return web.Response(status=204)


async def source_buckets(request: web.Request) -> web.Response:
    source_id = _source_id(request)
    names = await request.app[keys.SOURCES].databases(source_id)
    # 1.x's _internal and 2.x's _monitoring and _tasks are the servers' own.
    buckets = [{"name": name, "type": "system" if name.startswith("_") else "user"}
               for name in names]
    return json_response({"buckets": buckets,
                          "links": {"self": paths.V2_SOURCE_BUCKETS.format(sourceID=source_id)}})


async def source_health(request: web.Request) -> web.Response:
    health = await request.app[keys.SOURCES].health(_source_id(request))
    body: dict[str, object] = {"name": health.name, "status": "pass" if health.ok else "fail",
                               "message": health.message, "checks": []}
    if health.version:
        body["version"] = health.version
    return json_response(body, 200 if health.ok else 503)
