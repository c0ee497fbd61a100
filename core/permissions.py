"""One place for access rules: every role reads, permissions decide writes."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.roles import is_reader


def reader_required(view: Callable) -> Callable:
    """Anonymous users go to login; signed-in users with no role get 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_reader(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def permission_required(*perms: str) -> Callable:
    """Like Django's, but anonymous users are sent to login and others get a real 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (is_reader(request.user) and request.user.has_perms(perms)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def any_permission_required(*perms: str) -> Callable:
    """For views shared by add and edit (e.g. inline validation): one of the permissions is enough."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (is_reader(request.user) and any(request.user.has_perm(p) for p in perms)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RolePermission(BasePermission):
    """API default: roles read; a write needs the view's `write_permissions`, and is denied without them."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and is_reader(user)):
            return False
        if request.method in SAFE_METHODS:
            return True
        perms = getattr(view, "write_permissions", None)
        return bool(perms) and user.has_perms(perms)
