"""Reading a version file: YAML 1.2 booleans, pydantic validation, cross-item checks, named errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from regulations.schema.base import ContentError
from regulations.schema.checks import check_version
from regulations.schema.models import RegimeVersion

# ---------------------------------------------------------------- loading


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 10x faster


class _ContentLoader(_Base):
    """Safe YAML where only true/false are booleans, so `fact: on` and `choices: [yes, no]` stay text."""


_ContentLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ContentLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def yaml_load(text: str) -> Any:
    """Parse content YAML (safe loader; YAML 1.2 booleans)."""
    return yaml.load(text, Loader=_ContentLoader)  # noqa: S506 - a SafeLoader subclass


def _display(path: Path) -> str:
    parts = path.parts
    for i in range(len(parts) - 1):
        if parts[i] == "regulations" and parts[i + 1] == "content":
            return "/".join(parts[i:])
    return str(path)


def _pydantic_problems(exc: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown key {err['loc'][-1]!r}"
            loc = ".".join(str(p) for p in err["loc"])
        elif err["type"] == "missing":
            msg = f"missing key {err['loc'][-1]!r}"
        problems.append((loc, msg))
    return problems


def parse_version(
    data: Any, *, source: Path | str = "<data>", stem: str | None = None
) -> RegimeVersion:
    """Validate already-parsed content (a dict) fully; raise ContentError naming `source`."""
    if not isinstance(data, dict):
        raise ContentError(source, [("", "the file must be a mapping at the top level")])
    try:
        version = RegimeVersion.model_validate(data)
    except ValidationError as exc:
        raise ContentError(source, _pydantic_problems(exc)) from None
    problems = check_version(version)
    if stem is not None and version.version != stem:
        problems.insert(
            0, ("version", f"{version.version!r} must equal the file name stem {stem!r}")
        )
    if problems:
        raise ContentError(source, problems)
    return version


def load_version_file(path: Path | str) -> RegimeVersion:
    """Read and validate one `regulations/content/<regime>/<version>.yaml`."""
    path = Path(path)
    shown = _display(path)
    try:
        data = yaml_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:  # non-UTF-8 content is a content error too
        raise ContentError(shown, [("", f"cannot read: {exc}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ContentError(
            shown, [("", f"{where}invalid YAML: {getattr(exc, 'problem', exc)}")]
        ) from None
    return parse_version(data, source=shown, stem=path.stem)
