"""OpenAPI schema extensions (drf-spectacular), imported with the schema URLs so that commands
that never serve the schema do not pay to import drf-spectacular."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI schema names the token header (`Authorization: Token <token>`)."""

    target_class = "core.access.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token from POST /api/token/, sent with the prefix "Token ".',
        }
