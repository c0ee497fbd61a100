"""Login hardening: accounts with an end date (external auditors) and a lockout-aware login form."""

import datetime as dt

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from knox.auth import TokenAuthentication
from rest_framework import exceptions as drf_exceptions

from core.audit import audit_record
from core.models import AccountExpiry, OidcIdentity
from core.roles import Role

SESSION_KEY = "sightline_account_expires_at"


def account_expired(user, *, now: dt.datetime | None = None) -> bool:
    """True when the user has an end date that has passed."""
    expiry = AccountExpiry.objects.filter(user_id=user.pk).values_list("expires_at", flat=True)
    end = expiry.first()
    return end is not None and end <= (now or timezone.now())


class LoginAxesBackend(AxesStandaloneBackend):
    """django-axes lockout for real login requests; calls without a request (test client) are skipped."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class ExpiringModelBackend(ModelBackend):
    """The normal password check, but an account past its end date can no longer log in."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not account_expired(user)


def sso_sign_in_stale(user, *, now: dt.datetime | None = None) -> bool:
    """True for a single-sign-on account (no password here) whose last sign-in through its
    provider is older than SIGHTLINE_SSO_TOKEN_DAYS: Sightline cannot see the provider remove
    someone, so their API tokens rest on a recent sign-in instead."""
    if user.has_usable_password():
        return False
    last = (
        OidcIdentity.objects.filter(user_id=user.pk)
        .order_by("-last_login_at")
        .values_list("last_login_at", flat=True)
        .first()
    )
    if last is None:
        return False  # not a single-sign-on account
    days = settings.SIGHTLINE_SSO_TOKEN_DAYS
    return last < (now or timezone.now()) - dt.timedelta(days=days)


class ExpiringTokenAuthentication(TokenAuthentication):
    """API tokens of an expired account stop working too, and so do those of a single-sign-on
    account that has not signed in through its provider lately."""

    def authenticate_credentials(self, token):
        user, auth_token = super().authenticate_credentials(token)
        if account_expired(user):
            raise drf_exceptions.AuthenticationFailed("This account has expired.")
        if sso_sign_in_stale(user):
            raise drf_exceptions.AuthenticationFailed(
                "Sign in to Sightline through single sign-on again to keep using API tokens "
                f"(needed every {settings.SIGHTLINE_SSO_TOKEN_DAYS} days)."
            )
        return user, auth_token


class LoginForm(AuthenticationForm):
    """Tells an expired account why it cannot log in (only after the right password)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Your user name and password did not match. Please try again.",
        "expired": "This account expired on %(date)s. Ask an administrator to extend it.",
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            user = (
                get_user_model()
                .objects.filter(username=self.cleaned_data.get("username") or "")
                .first()
            )
            password = self.cleaned_data.get("password") or ""
            if user is not None and user.check_password(password) and account_expired(user):
                end = user.account_expiry.expires_at
                raise ValidationError(
                    self.error_messages["expired"],
                    code="expired",
                    params={"date": f"{end:%Y-%m-%d %H:%M} UTC"},
                ) from None
            raise


@receiver(user_logged_in)
def _remember_expiry(sender, request, user, **kwargs) -> None:
    """Keep the end date in the session, so the per-request check costs no query."""
    end = AccountExpiry.objects.filter(user_id=user.pk).values_list("expires_at", flat=True).first()
    if request is not None and hasattr(request, "session"):
        if end is None:
            request.session.pop(SESSION_KEY, None)
        else:
            request.session[SESSION_KEY] = end.isoformat()


class ExpiredSessionMiddleware:
    """Logs out a session whose account end date passed while it was signed in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        end = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if end and dt.datetime.fromisoformat(end) <= timezone.now():
            logout(request)
            messages.error(request, "Your account has expired; you have been signed out.")
            return redirect("login")
        return self.get_response(request)


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """django-axes lockout: the login page again, with a plain explanation, as 429."""
    form = LoginForm(request)
    message = (
        "Too many failed login attempts for this account. "
        "Try again later, or ask an administrator to unlock it."
    )
    return render(
        request,
        "registration/login.html",
        {"form": form, "lockout_message": message, "next": request.POST.get("next", "")},
        status=429,
    )


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.UTC)


@transaction.atomic
def external_auditor_grant(
    *, actor, username: str, email: str, expires_on: dt.date, password: str | None = None
):
    """An outside auditor gets the read-only, export-only auditor role up to the end of `expires_on`."""
    if expires_on < timezone.now().date():
        raise ValidationError({"expires_on": "The end date must not be in the past."})
    model = get_user_model()
    user = model.objects.filter(username=username).first()
    if user is None:
        user = model(username=username, email=email)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
    if user.is_superuser or user.is_staff:
        raise ValidationError(
            {"username": "An administrator cannot be made a time-limited auditor."}
        )
    user.groups.set([Group.objects.get(name=Role.AUDITOR)])
    end = _end_of_day(expires_on)
    AccountExpiry.objects.update_or_create(
        user=user,
        defaults={"expires_at": end, "granted_by": actor if getattr(actor, "pk", None) else None},
    )
    audit_record(
        actor=actor,
        action="account.auditor_grant",
        target=user,
        changes={"role": [None, Role.AUDITOR], "expires_at": [None, end.isoformat()]},
    )
    return user


@receiver(post_save, sender=AccountExpiry)
def _end_sessions_of(sender, instance: AccountExpiry, **kwargs) -> None:
    """Sessions carry the end date they started with, so a changed end date signs the user out."""
    user = instance.user
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
