"""A raw read of one series answers its points in time order however they were written (the
store reads them unsorted and the engine sorts them: `translators/influxql/timesort.py`)."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

S0 = 1_704_067_200


async def test_late_points_of_one_series_come_back_in_time_order(client: TestClient) -> None:
    # each batch is a commit of its own, so the stored order is the order written here
    for batch in ([30, 0], [50, 10], [20], [40, 5]):
        body = "".join(f"cpu,host=h1,cpu=c1 v={s}.5 {S0 + s}000000000\n"
                       f"cpu,host=h2,cpu=c1 v={s}.25 {S0 + 100 - s}000000000\n"
                       for s in batch)
        response = await client.post("/write?db=db", data=body.encode())
        assert response.status == 204
    for query, expected in [
        ("SELECT v FROM cpu WHERE host = 'h1' AND cpu = 'c1'",
         [[S0 + s, s + 0.5] for s in (0, 5, 10, 20, 30, 40, 50)]),
        (f"SELECT v FROM cpu WHERE host = 'h2' AND time >= {S0 + 55}s AND time < {S0 + 95}s",
         [[S0 + 100 - s, s + 0.25] for s in (40, 30, 20, 10)]),
        ("SELECT v FROM cpu WHERE host = 'h1' ORDER BY time DESC",
         [[S0 + s, s + 0.5] for s in (50, 40, 30, 20, 10, 5, 0)]),
    ]:
        response = await client.get("/query", params={"db": "db", "q": query, "epoch": "s"})
        assert response.status == 200
        assert await response.json() == {"results": [{"statement_id": 0, "series": [
            {"name": "cpu", "columns": ["time", "v"], "values": expected}]}]}, query
