"""Extension points are declared on AppConfigs and collected by core, in INSTALLED_APPS order."""

from collections.abc import Mapping

import pytest

from core.extensions import EXTENSION_POINTS, app_hooks

DATA_POINTS = {"roles": Mapping, "inbox": list | tuple, "jobs": list | tuple}  # others: functions


@pytest.mark.parametrize("name", EXTENSION_POINTS)
def test_every_declared_hook_resolves(name):
    hooks = app_hooks(name)
    assert hooks, f"no app declares {name}"
    for hook in hooks:
        if name in DATA_POINTS:
            assert isinstance(hook.target, DATA_POINTS[name]), hook
        else:
            assert callable(hook.target), hook


def test_demo_data_is_seeded_in_installed_apps_order():
    labels = [hook.app.label for hook in app_hooks("seed_demo")]
    assert labels == [
        "core", "inventory", "regulations", "discovery", "assessments", "evidence", "programme",
    ]  # fmt: skip


def test_panels_come_from_the_apps_that_draw_one():
    assert [hook.app.label for hook in app_hooks("system_panel")] == [
        "regulations",
        "discovery",
        "assessments",
        "programme",
    ]


def test_discovery_declares_the_catalogue_loader():
    loaders = [(h.app.label, h.target.__name__) for h in app_hooks("content_loaders")]
    assert loaders == [("discovery", "load_catalog"), ("programme", "load_programme_content")]


def test_an_unknown_extension_point_is_an_error():
    with pytest.raises(ValueError, match="Unknown extension point 'panel'"):
        app_hooks("panel")
