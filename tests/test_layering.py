"""Imports only go down the layers: core → inventory → discovery → regulations → assessments → evidence.

Every module of the six apps (migrations and tests aside) is parsed, and every import counts:
module level, inside functions, under TYPE_CHECKING, and `import_module("…")` / `__import__("…")` /
`import_string("…")` with a literal name. `discovery/engine/` must not import django at all.
The project package `sightline` sits above all of them and may import anything.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("core", "inventory", "discovery", "regulations", "assessments", "evidence")
ENGINE = ROOT / "discovery" / "engine"
DYNAMIC_IMPORTS = {"import_module", "__import__", "import_string"}


def app_modules() -> Iterator[tuple[str, Path]]:
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts or "tests" in parts:
                continue
            yield app, path


def _package(path: Path) -> list[str]:
    """The dotted package a relative import in this file starts from."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return parts[:-1]


def imported_names(path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted module name) of every import in the file, wherever it is written."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package(path)
                base = package[: len(package) - node.level + 1]
                yield node.lineno, ".".join([*base, *([node.module] if node.module else [])])
            else:
                yield node.lineno, node.module or ""
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if (
                name in DYNAMIC_IMPORTS
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                yield node.lineno, first.value


def layering_violations() -> list[str]:
    found = []
    for app, path in app_modules():
        rank = LAYERS.index(app)
        in_engine = ENGINE in path.parents
        for line, name in imported_names(path):
            top = name.split(".", 1)[0]
            where = f"{path.relative_to(ROOT)}:{line}"
            if top in LAYERS and LAYERS.index(top) > rank:
                found.append(f"{where}: {app} imports {name} (a later layer)")
            if in_engine and top == "django":
                found.append(f"{where}: discovery/engine imports {name} (engine is Django-free)")
    return sorted(found)


def test_imports_follow_the_layer_order():
    found = layering_violations()
    assert not found, "Imports against the layer order (file:line):\n" + "\n".join(found)


def test_the_walk_sees_function_level_and_dynamic_imports(tmp_path, monkeypatch):
    """The checker itself can fail: a function-level import of a later app is reported."""
    module = tmp_path / "core" / "sneaky.py"
    module.parent.mkdir()
    module.write_text(
        "import os\n\n\ndef f():\n    from evidence.models import Pack\n"
        "    return __import__('regulations.tasks')\n"
    )
    engine = tmp_path / "discovery" / "engine"
    engine.mkdir(parents=True)
    (engine / "parse.py").write_text("from django.conf import settings\nfrom .. import core\n")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    monkeypatch.setitem(globals(), "ENGINE", engine)
    assert layering_violations() == [
        "core/sneaky.py:5: core imports evidence.models (a later layer)",
        "core/sneaky.py:6: core imports regulations.tasks (a later layer)",
        "discovery/engine/parse.py:1: discovery/engine imports django.conf (engine is Django-free)",
    ]
