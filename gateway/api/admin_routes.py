"""GET, PUT and DELETE /admin/routes: the route list in force, with the config file's
[[routes]] keys.

PUT replaces the whole list after the same checks the config file gets (every problem listed
in one 400), saves it in the metadata store and routes by it at once; it outlives restarts.
DELETE forgets the saved list: the config file's routes are in force again, and after restarts.
"""

from __future__ import annotations

from aiohttp import web

from gateway.errors import invalid
from gateway.services.route_list import RouteListing, route_table

from . import keys
from .body import read_json
from .errors import json_response

BODY_LIMIT = 1024 * 1024


def listing_document(listing: RouteListing) -> dict[str, object]:
    return {"routes": [route_table(route) for route in listing.routes],
            "origin": listing.origin, "version": listing.version,
            "updated_at": listing.updated_at or None}


async def get_routes(request: web.Request) -> web.Response:
    return json_response(listing_document(request.app[keys.ROUTES].listing()))


async def put_routes(request: web.Request) -> web.Response:
    body = await read_json(request, BODY_LIMIT)
    if not isinstance(body, dict) or "routes" not in body:
        raise invalid('expected a JSON object {"routes": [...]}')
    listing = await request.app[keys.ROUTES].replace(body["routes"])
    return json_response(listing_document(listing))


async def delete_routes(request: web.Request) -> web.Response:
    await request.app[keys.ROUTES].reset()
    return web.Response(status=204)
