"""Small helpers for API tests."""

from __future__ import annotations

from aiohttp.test_utils import TestClient


async def sql(client: TestClient, database: str, query: str) -> list[dict[str, object]]:
    response = await client.get("/api/v3/query_sql", params={"db": database, "q": query})
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("application/json")
    return await response.json()


async def sql_tuples(client: TestClient, database: str, query: str) -> list[tuple[object, ...]]:
    """The answer's rows as tuples of their values, in column order."""
    return [tuple(row.values()) for row in await sql(client, database, query)]
