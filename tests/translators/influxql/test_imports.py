"""Every module of the InfluxQL translator imports on its own, first: an import cycle that
works only when `engine` happens to be imported before is a failure waiting for a new caller.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import translators.influxql as package

# Each module imported with every translators module dropped from sys.modules before it.
_SCRIPT = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "translators" or m.startswith("translators.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except ImportError as exc:
        failed.append(f"{name}: {exc}")
print("\\n".join(failed))
"""


def test_each_module_imports_first() -> None:
    names = [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]
    assert len(names) > 40
    done = subprocess.run([sys.executable, "-c", _SCRIPT, *names], capture_output=True,
                          text=True, check=True, timeout=120)
    assert done.stdout.strip() == "", done.stdout
