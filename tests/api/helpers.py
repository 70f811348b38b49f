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


async def write_lp(client: TestClient, database: str, data: bytes,
                   precision: str | None = None) -> TestClient:
    """`data` written to `database` through /api/v3/write_lp (204 asserted); the client."""
    params = {"db": database} if precision is None else {"db": database, "precision": precision}
    response = await client.post("/api/v3/write_lp", params=params, data=data)
    assert response.status == 204, await response.text()
    return client

