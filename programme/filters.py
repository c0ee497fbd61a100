import django_filters
from django.db.models import Q

from programme.models import AIUseRequest


class AIUseRequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(
        choices=AIUseRequest.Status.choices, empty_label="Any status"
    )

    class Meta:
        model = AIUseRequest
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(tool_name__icontains=value) | Q(purpose__icontains=value) | Q(team__icontains=value)
        )
