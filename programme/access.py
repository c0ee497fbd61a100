"""Who may reach the programme's pages: the Requester right is held by every role."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from programme.roles import REQUEST


def requester_required(view: Callable) -> Callable:
    """Anonymous users go to login; signed-in users without the Requester right get 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(REQUEST):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
