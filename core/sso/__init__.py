"""Single sign-on with OpenID Connect (mozilla-django-oidc), configured from the environment.

The provider's group or role claim decides the user's Sightline roles on every sign-in, so a group
removed at the provider takes the role away at the next sign-in. Password sign-in can be switched
off except for one named break-glass account, which django-axes still locks out like any other.

config.py reads the settings and the discovery document, services.py links and updates users,
auth.py holds the authentication backends and views.py the sign-in, callback and sign-out pages.
"""
