"""Request guards shared by every page and the API."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control


class NulQueryMiddleware:
    """PostgreSQL refuses NUL in text, so a query string carrying one is a 400, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        ):
            message = "The query string may not contain NUL characters."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages and API answers for a signed-in user hold governed data: no browser or proxy keeps them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


class QueueUnavailableMiddleware:
    """A job the broker refused was marked failed and retryable; say so with a 503, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from core.jobs import QueueUnavailable

        if not isinstance(exception, QueueUnavailable):
            return None
        if request.path.startswith("/api/"):
            body = {"detail": str(exception), "code": "queue_unavailable"}
            response = JsonResponse(
                body | ({"job": exception.url} if exception.url else {}), status=503
            )
        else:
            context = {"message": str(exception), "url": exception.url}
            response = render(request, "503.html", context, status=503)
        response["Retry-After"] = "60"
        return response
