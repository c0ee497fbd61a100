"""One FilterSet per list, shared by the HTML pages and the API."""

import django_filters

from assessments.models import Assessment, EvidenceFile, VendorChecklist
from core.filtering import IdFilter


class AssessmentFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=Assessment.State.choices)
    system = IdFilter(field_name="system")

    class Meta:
        model = Assessment
        fields: list[str] = []


class VendorChecklistFilter(django_filters.FilterSet):
    vendor = IdFilter(field_name="vendor")
    system = IdFilter(field_name="system")

    class Meta:
        model = VendorChecklist
        fields: list[str] = []


class EvidenceFileFilter(django_filters.FilterSet):
    """A vendor or system that does not exist is a 400 ("Select a valid choice"), not an empty list."""

    class Meta:
        model = EvidenceFile
        fields = ["vendor", "system", "sha256"]
