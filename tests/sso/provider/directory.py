"""The provider's people: users.json maps a user name to password, e-mail, name and groups."""

import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from oauth2_provider.oauth2_validators import OAuth2Validator


def directory() -> dict:
    path = settings.DATA / "users.json"
    return json.loads(path.read_text()) if path.exists() else {}


class DirectoryBackend(BaseBackend):
    """Checks the password against users.json, read afresh on every sign-in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        entry = directory().get(username or "")
        if entry is None or entry["password"] != password:
            return None
        user, _ = get_user_model().objects.get_or_create(username=username)
        return user

    def get_user(self, user_id):
        return get_user_model().objects.filter(pk=user_id).first()


class DirectoryValidator(OAuth2Validator):
    """Adds the directory's e-mail, names and groups (scope `groups`) to the ID token and user info."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "groups"}

    def get_additional_claims(self, request):
        entry = directory().get(request.user.username, {})
        return {
            "preferred_username": request.user.username,
            "email": entry.get("email", ""),
            "given_name": entry.get("given_name", ""),
            "family_name": entry.get("family_name", ""),
            "groups": list(entry.get("groups", [])),
        }
