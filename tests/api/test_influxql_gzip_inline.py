"""A /query answer of a few kilobytes is gzipped on the event loop, not in aiohttp's executor
(`gateway/api/v1.py` GZIP_ON_LOOP); a large one still is deflated off the loop."""

from __future__ import annotations

import asyncio
import gzip
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiohttp.test_utils import TestClient

S0 = 1_704_067_200


class CountingExecutor(ThreadPoolExecutor):
    """The loop's default executor, counting the jobs it is given."""

    def __init__(self) -> None:
        super().__init__(2)
        self.jobs = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        self.jobs += 1
        return super().submit(fn, *args, **kwargs)


async def test_small_gzipped_answer_takes_no_executor_hop(client: TestClient) -> None:
    lines = "".join(f"cpu,host=h1 v={i}.25 {S0 + 10 * i}000000000\n" for i in range(4000))
    assert (await client.post("/write?db=db", data=lines.encode())).status == 204
    executor = CountingExecutor()
    asyncio.get_running_loop().set_default_executor(executor)
    for count, hops in ((360, 0), (4000, 1)):
        query = f"SELECT v FROM cpu WHERE host = 'h1' LIMIT {count}"
        before = executor.jobs
        response = await client.get("/query", params={"db": "db", "q": query, "epoch": "s"},
                                    headers={"Accept-Encoding": "gzip"}, auto_decompress=False)
        body = await response.read()
        assert response.status == 200 and response.headers["Content-Encoding"] == "gzip"
        assert (4 * 1024 < len(gzip.decompress(body)) <= 64 * 1024) == (hops == 0)
        assert executor.jobs - before == hops, count
        assert gzip.decompress(body).startswith(
            b'{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","v"],'
            b'"values":[[1704067200,0.25],[1704067210,1.25]')
