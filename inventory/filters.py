"""One FilterSet for the HTML list, its HTMX partial, the CSV/XLSX export and the API."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from inventory import vocab
from inventory.lookups import ListHasAny
from inventory.models import AISystem, RiskTier, Vendor
from inventory.widgets import PlainSelect

YES_NO = [("true", "Yes"), ("false", "No")]


class SharedChoices(tuple):
    """FilterSets and DRF serializers deep-copy their fields' arguments per request; choices never change."""

    def __deepcopy__(self, memo: dict) -> "SharedChoices":
        return self


def _list_filter(field: str, choices, label: str) -> django_filters.MultipleChoiceFilter:
    def method(queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        values = set(value)
        if field == "jurisdictions" and "EU" in values:
            values |= set(vocab.EU_MEMBER_STATES)  # "EU" means any member state too
        return queryset.filter(ListHasAny(field, sorted(values))) if values else queryset

    return django_filters.MultipleChoiceFilter(
        choices=SharedChoices(choices), label=label, method=method
    )


class AISystemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    # Plain columns of the system row cannot duplicate it, so no SELECT DISTINCT (django-filter's
    # default for multiple choices, which made PostgreSQL sort the whole filtered list).
    lifecycle = django_filters.MultipleChoiceFilter(
        choices=SharedChoices(AISystem.Lifecycle.choices), distinct=False
    )
    sanction_status = django_filters.MultipleChoiceFilter(
        choices=SharedChoices(AISystem.SanctionStatus.choices),
        label="Sanction status",
        distinct=False,
    )
    origin = django_filters.ChoiceFilter(
        choices=SharedChoices(AISystem.Origin.choices), empty_label="Any origin", widget=PlainSelect
    )
    vendor = django_filters.ModelChoiceFilter(
        queryset=Vendor.objects.only("pk", "name"), empty_label="Any vendor", widget=PlainSelect
    )
    in_house = django_filters.BooleanFilter(
        field_name="vendor", lookup_expr="isnull", label="In-house (no vendor)"
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=get_user_model()
        .objects.filter(owned_systems__isnull=False)
        .distinct()
        .order_by("username"),
        empty_label="Any owner",
        widget=PlainSelect,
    )
    team = django_filters.CharFilter(field_name="team", lookup_expr="iexact")
    jurisdiction = _list_filter("jurisdictions", vocab.Jurisdiction.choices, "Jurisdiction")
    domain = _list_filter("domains", vocab.Domain.choices, "Domain")
    role = _list_filter("roles", vocab.OurRole.choices, "Our role")
    capability = _list_filter("capabilities", vocab.Capability.choices, "Capability")
    data_category = _list_filter("data_categories", vocab.DataCategory.choices, "Data category")
    decision_role = django_filters.MultipleChoiceFilter(
        choices=SharedChoices(vocab.DecisionRole.choices), label="Decision role", distinct=False
    )
    consumer_facing = django_filters.BooleanFilter()
    interacts_with_persons = django_filters.BooleanFilter(label="Interacts with persons")
    profiling = django_filters.BooleanFilter()
    human_review = django_filters.BooleanFilter(label="Human review")
    sensitive_data = django_filters.BooleanFilter(method="filter_sensitive", label="Sensitive data")
    needs_facts = django_filters.BooleanFilter(method="filter_needs_facts", label="Needs facts")
    # Applied together in filter_queryset: a tier within a regime, a tier in any regime, or any
    # tier within a regime, all over the projection's tokens ("high", "eu:high").
    risk_regime = django_filters.ChoiceFilter(
        choices=SharedChoices(vocab.Regime.choices),
        empty_label="Any regime",
        label="Risk in regime",
        method="filter_risk_later",
        widget=PlainSelect,
    )
    risk_tier = django_filters.MultipleChoiceFilter(
        choices=SharedChoices(RiskTier.choices),
        label="Risk tier",
        method="filter_risk_later",
    )
    o = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("vendor__name", "vendor"),
            ("owner__username", "owner"),
            ("team", "team"),
            ("lifecycle", "lifecycle"),
            ("sanction_status", "sanction_status"),
            ("decision_role", "decision_role"),
            ("updated_at", "updated"),
        ),
        label="Sort by",
    )

    class Meta:
        model = AISystem
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Free text over the columns people remember a system by."""
        value = value.strip()
        if not value:
            return queryset
        # Vendors are matched first, so every condition is on the systems' own (indexed) columns.
        vendors = list(Vendor.objects.filter(name__icontains=value).values_list("pk", flat=True))
        return queryset.filter(
            Q(name__icontains=value)
            | Q(description__icontains=value)
            | Q(team__icontains=value)
            | Q(vendor__in=vendors)
        )

    def filter_sensitive(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        has = ListHasAny("data_categories", [str(c) for c in vocab.SENSITIVE_DATA])
        return queryset.filter(has) if value else queryset.exclude(has)

    def filter_needs_facts(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        q = AISystem.needs_facts_q()
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_risk_later(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset  # regime and tier are one condition, applied in filter_queryset

    def filter_risk(self, queryset: QuerySet) -> QuerySet:
        data = getattr(self.form, "cleaned_data", {}) or {}
        regime, tiers = data.get("risk_regime") or "", list(data.get("risk_tier") or [])
        if not (regime or tiers):
            return queryset
        tiers = tiers or [str(t) for t in RiskTier]
        tokens = [f"{regime}:{t}" for t in tiers] if regime else tiers
        return queryset.filter(ListHasAny("risk_tiers", tokens))

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # A stable tiebreak keeps pagination deterministic whatever the chosen sort.
        queryset = self.filter_risk(super().filter_queryset(queryset))
        return queryset.order_by(*(queryset.query.order_by or ("name",)), "pk")


class VendorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    is_ai_developer = django_filters.BooleanFilter(label="AI developer")

    class Meta:
        model = Vendor
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(contact_name__icontains=value)
            | Q(website__icontains=value)
        )
