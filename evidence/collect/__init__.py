"""Read-only gathering of everything a pack shows, from every app, in a few bulk queries."""

from evidence.collect.base import PackData, Scope, collect

__all__ = ["PackData", "Scope", "collect"]
