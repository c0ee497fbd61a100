"""Forms: validation only; the services do the writing."""

from django import forms

from regulations.models import Organisation
from regulations.models.classification import RiskTier
from regulations.models.org import BUSINESS_JURISDICTIONS


class OrganisationForm(forms.ModelForm):
    does_business_in = forms.MultipleChoiceField(
        choices=BUSINESS_JURISDICTIONS, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Organisation
        fields = ["name", "org_kind", "employees", "annual_revenue_usd", "consumers_personal_data",
                  "consumers_sensitive_data", "revenue_share_from_selling_data", "does_business_in",
                  "business_status", "revenue_incl_affiliates_usd", "agency_state", "org_unit",
                  "md_exempt_unit"]  # fmt: skip
        labels = {
            "org_kind": "Kind of organisation",
            "annual_revenue_usd": "Annual revenue (USD, prior year)",
            "business_status": "CCPA business status",
            "revenue_incl_affiliates_usd": "Revenue incl. affiliates (USD, prior year)",
            "agency_state": "State of the agency",
            "org_unit": "Organisational unit",
            "md_exempt_unit": "Maryland exempt unit",
            "consumers_personal_data": "Consumers (personal data)",
            "consumers_sensitive_data": "Consumers (sensitive data)",
            "revenue_share_from_selling_data": "Revenue share from selling or sharing data",
        }
        widgets = {
            "revenue_share_from_selling_data": forms.NumberInput(
                attrs={"step": "0.01", "min": 0, "max": 1}
            )
        }

    def clean_agency_state(self):
        return (self.cleaned_data.get("agency_state") or "").strip().upper()

    def clean_does_business_in(self):
        return sorted(self.cleaned_data.get("does_business_in") or [])


class OverrideForm(forms.Form):
    result_id = forms.IntegerField(widget=forms.HiddenInput)
    outcome_label = forms.CharField(max_length=300, label="Outcome you record")
    risk_tier = forms.ChoiceField(choices=RiskTier.choices)
    high_risk = forms.BooleanField(required=False, label="High risk")
    justification = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), min_length=10)


class CompleteForm(forms.Form):
    evidence_url = forms.URLField(
        required=False, max_length=500, label="Link to the evidence", assume_scheme="https"
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if not data.get("evidence_url") and not (data.get("note") or "").strip():
            raise forms.ValidationError(
                "Give a link to the evidence or a note saying how it was done."
            )
        return data


class ModificationForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label="Date of the modification"
    )
