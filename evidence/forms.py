import datetime as dt

from django import forms
from django.utils import timezone

from inventory.selectors import ai_system_list_by_ids
from regulations.selectors import regime_choices


class PackCreateForm(forms.Form):
    """Scope of a pack: regime or all, systems or all, and an inclusive period."""

    regime = forms.ChoiceField(
        choices=lambda: [("", "All regimes"), *regime_choices()], required=False, label="Regime"
    )
    systems = forms.ModelMultipleChoiceField(
        queryset=ai_system_list_by_ids(),
        required=False,
        label="Systems",
        help_text="Leave empty for all systems.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    period_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="From")
    period_to = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="To")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["period_from"].initial = today - dt.timedelta(days=365)
        self.fields["period_to"].initial = today

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_from"), cleaned.get("period_to")
        if start and end and start > end:
            self.add_error("period_to", "The period must end on or after its start.")
        return cleaned


class VerifyForm(forms.Form):
    pack = forms.FileField(label="Evidence pack (.zip)")
