"""API body parsers that turn hostile input into a 400: NUL characters (PostgreSQL text refuses
them), bodies that are not a JSON object, and JSON nested past any sensible depth."""

import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

MAX_DEPTH = 32


def check_value(value, *, max_depth: int = MAX_DEPTH) -> None:
    """Walk without recursion: the depth limit and NUL check hold however deep the input goes."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise ParseError(f"JSON nested deeper than {max_depth} levels.")
        if isinstance(item, str):
            if "\x00" in item:
                raise ParseError("Text may not contain NUL characters.")
        elif isinstance(item, dict):
            for key, child in item.items():
                if "\x00" in key:
                    raise ParseError("Text may not contain NUL characters.")
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


class SafeJSONParser(JSONParser):
    """JSON bodies must be one object of bounded depth without NUL characters."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(stream.read().decode(encoding))
        except RecursionError as exc:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.") from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        if not isinstance(data, dict):
            raise ParseError("The body must be a JSON object.")
        check_value(data)
        return data


def _check_form(data) -> None:
    for key, values in data.lists():
        if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in values):
            raise ParseError("Text may not contain NUL characters.")


class SafeFormParser(FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _check_form(data)
        return data


class SafeMultiPartParser(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        _check_form(result.data)
        return result
