"""What a test needs from the machine (influxd, the openssl CLI): missing in CI, whose scripts
install it, the test fails; missing anywhere else, it is skipped."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Fail in CI (the CI environment variable set, as .ci/run sets it), skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)
