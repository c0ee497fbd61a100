from tests.sso.harness import oidc_provider  # noqa: F401 - the provider process, per session
