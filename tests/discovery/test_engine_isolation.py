"""discovery/engine imports no Django and nothing from the rest of discovery, directly or indirectly.

Each check runs in a fresh interpreter with an import hook that refuses `django` and every
`discovery.*` module outside `discovery.engine`, then imports every module under the engine.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "discovery" / "engine"

CHECK = r"""
import importlib, importlib.abc, json, sys, traceback

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        outside = name.startswith("discovery.") and not (
            name == "discovery.engine" or name.startswith("discovery.engine.")
        )
        if top == "django" or outside:
            raise ImportError(f"discovery.engine must not import {name}")
        return None

sys.meta_path.insert(0, Refuse())
failed = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except BaseException as exc:
        failed[name] = "".join(traceback.format_exception_only(type(exc), exc)).strip()
print(json.dumps({"failed": failed, "django_loaded": "django" in sys.modules}))
"""


def engine_modules() -> list[str]:
    names = []
    for path in sorted(ENGINE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


def run_check(modules: list[str]) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", CHECK, *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_every_engine_module_imports_without_django_or_the_rest_of_discovery():
    modules = engine_modules()
    assert "discovery.engine.pipeline" in modules
    assert "discovery.engine.parsers.prefilter" in modules
    assert "discovery.engine.llmjacking.rules" in modules
    result = run_check(modules)
    assert result["failed"] == {}
    assert result["django_loaded"] is False


def test_the_hook_refuses_a_module_that_imports_django():
    result = run_check(["discovery.engine.matching", "discovery.selectors", "django.conf"])
    assert set(result["failed"]) == {"discovery.selectors", "django.conf"}
    assert "must not import" in result["failed"]["django.conf"]
