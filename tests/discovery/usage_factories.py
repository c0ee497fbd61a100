"""Factories for OAuth grants, gateway usage days and budgets (rows as the batch write leaves them)."""

import datetime as dt
from decimal import Decimal

import factory

from discovery.models import ModelUsageDay, OAuthGrant, UsageBudget

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


class OAuthGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OAuthGrant

    source = "gws_token"
    app_key = "chatgpt"
    app_name = "ChatGPT"
    client_id = "1234567890-chatgpt.apps.googleusercontent.com"
    user = factory.Sequence(lambda n: f"user{n}@example.com")
    scopes = ["https://www.googleapis.com/auth/drive.readonly", "openid"]
    scope_classes = ["files_read", "profile"]
    first_granted = T0
    last_granted = T0
    active = True


class ModelUsageDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelUsageDay

    source = "litellm"
    app_key = "openai-api-platform"
    identity = "ann@example.com"
    team = "Support"
    key_alias = "support-bot"
    model = "gpt-4o"
    day = dt.date(2026, 11, 2)
    requests = 10
    input_tokens = 1000
    output_tokens = 500
    cost = Decimal("1.250000")
    first_seen = factory.LazyAttribute(
        lambda o: dt.datetime.combine(o.day, dt.time(9), tzinfo=dt.UTC)
    )
    last_seen = factory.LazyAttribute(
        lambda o: dt.datetime.combine(o.day, dt.time(17), tzinfo=dt.UTC)
    )


class UsageBudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsageBudget
        django_get_or_create = ("scope", "name")

    scope = UsageBudget.Scope.TEAM
    name = "Support"
    monthly_tokens = 100_000
    monthly_spend = Decimal("50.00")
