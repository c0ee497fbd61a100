"""Portable "JSON list contains any of" for SQLite and PostgreSQL (Django's `contains` skips SQLite)."""

from collections.abc import Iterable

from django.db import NotSupportedError
from django.db.models import BooleanField, Expression, F


class ListHasAny(Expression):
    """True when a JSON list column holds any of `values`; usable directly in `.filter()`."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, field: str, values: Iterable[str]):
        super().__init__()
        self.lhs = F(field)
        self.values = [str(v) for v in values]

    def get_source_expressions(self):
        return [self.lhs]

    def set_source_expressions(self, exprs):
        (self.lhs,) = exprs

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        clone = self.copy()
        clone.is_summary = summarize
        clone.lhs = self.lhs.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return clone

    def as_sql(self, compiler, connection):
        raise NotSupportedError(f"ListHasAny is not implemented for {connection.vendor}.")

    def as_sqlite(self, compiler, connection):
        if not self.values:
            return "0", []
        lhs, params = compiler.compile(self.lhs)
        marks = ", ".join(["%s"] * len(self.values))
        sql = f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value IN ({marks}))"
        return sql, (*params, *self.values)

    def as_postgresql(self, compiler, connection):
        if not self.values:
            return "false", []
        lhs, params = compiler.compile(self.lhs)
        # jsonb ?| text[]: true if any string is a top-level element of the array.
        return f"({lhs} ?| %s::text[])", (*params, self.values)
