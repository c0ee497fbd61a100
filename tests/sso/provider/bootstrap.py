"""Create the provider's tables and register Sightline as a client: `python -m tests.sso.provider.bootstrap`."""

import argparse
import os

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.sso.provider.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", action="append", default=[])
    parser.add_argument("--post-logout-uri", action="append", default=[])
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    app = Application.objects.filter(client_id=args.client_id).first() or Application(
        client_id=args.client_id, name="Sightline"
    )
    app.client_secret = args.client_secret  # hashed on save
    app.client_type = Application.CLIENT_CONFIDENTIAL
    app.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
    app.algorithm = Application.RS256_ALGORITHM
    app.skip_authorization = True
    app.redirect_uris = " ".join(args.redirect_uri)
    app.post_logout_redirect_uris = " ".join(args.post_logout_uri)
    app.save()


if __name__ == "__main__":
    main()
