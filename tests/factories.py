"""factory_boy factories for rows whose audit trail does not matter to the test."""

import factory

from inventory.models import AISystem, Vendor


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor

    name = factory.Sequence(lambda n: f"Vendor {n:05d}")
    website = factory.LazyAttribute(lambda o: f"https://{o.name.lower().replace(' ', '-')}.example")
    is_ai_developer = True


class AISystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AISystem

    name = factory.Sequence(lambda n: f"System {n:05d}")
    description = "A test system."
    team = "Team A"
    model_type = "ml_classifier"
    lifecycle = AISystem.Lifecycle.IN_USE
    sanction_status = AISystem.SanctionStatus.SANCTIONED
    roles = factory.LazyFunction(lambda: ["deployer"])
    jurisdictions = factory.LazyFunction(lambda: ["CO"])
    domains = factory.LazyFunction(lambda: ["employment"])
    decision_role = "substantial_factor"
