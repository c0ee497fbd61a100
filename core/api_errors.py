"""API errors: a write that loses a race on a unique key is a 409 Conflict, never a 500."""

import logging

from django.db import IntegrityError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger(__name__)


def api_exception_handler(exc, context):
    """DRF's handler, plus IntegrityError as 409 (the row was created or changed meanwhile)."""
    if isinstance(exc, IntegrityError):
        log.info("API conflict on %s: %s", context.get("view").__class__.__name__, exc)
        return Response(
            {"detail": "This conflicts with a change saved at the same moment; reload and retry."},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
