"""Writes at the extremes of size: numbers of thousands of digits, many fields or tables."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

DIGITS = "1" + "0" * 5000  # past the 4,300 digits Python's int() reads


@pytest.mark.parametrize(("line", "words"), [
    pytest.param(f"m f={DIGITS}i 1", f"unable to parse integer {DIGITS}: strconv.ParseInt",
                 id="integer"),
    pytest.param(f"m f=-{DIGITS}i 1", f"unable to parse integer -{DIGITS}: strconv.ParseInt",
                 id="negative-integer"),
    pytest.param(f"m f={DIGITS}u 1", f"unable to parse unsigned {DIGITS}: strconv.ParseUint",
                 id="unsigned"),
    pytest.param(f"m f=1 {DIGITS}", f'strconv.ParseInt: parsing "{DIGITS}"', id="timestamp"),
])
async def test_numbers_of_thousands_of_digits_are_out_of_range(
        client: TestClient, line: str, words: str) -> None:
    response = await client.post("/write", params={"db": "db"}, data=line.encode())
    assert response.status == 400, await response.text()
    message = (await response.json())["error"]
    assert words in message and message.endswith("value out of range")
