"""Filters every app's FilterSets share: ids typed into a query string."""

import django_filters
from django import forms
from django.db.models import QuerySet

from core.ids import parse_id


class IdField(forms.Field):
    """An id a row could have, or `word` (e.g. 'org', 'none'): '²' or 10**25 is invalid, not a 500."""

    def __init__(self, *, word: str = "", **kwargs) -> None:
        self.word = word
        super().__init__(**kwargs)

    def clean(self, value: object) -> int | str | None:
        text = str(value if value is not None else "").strip()
        if not text:
            return None
        if self.word and text == self.word:
            return self.word
        if (pk := parse_id(text)) is None:
            expected = f"an id or {self.word!r}" if self.word else "an id"
            raise forms.ValidationError(f"Expected {expected}.", code="invalid")
        return pk


class IdFilter(django_filters.Filter):
    """`field_name` equal to the id; `word` selects the rows where it is not set."""

    field_class = IdField

    def __init__(self, *args, word: str = "", **kwargs) -> None:
        super().__init__(*args, word=word, **kwargs)
        self.word = word

    def filter(self, qs: QuerySet, value: int | str | None) -> QuerySet:
        if value is None:
            return qs
        if self.word and value == self.word:
            return qs.filter(**{f"{self.field_name}__isnull": True})
        return qs.filter(**{self.field_name: value})
