from django import forms
from django.contrib.auth import get_user_model

from inventory import vocab
from programme.models import (
    AIUseRequest,
    Control,
    RightsRequest,
    Risk,
    RiskCategory,
    RiskControl,
    TrainingModule,
)
from programme.risk_services import RISK_FIELDS


class AIUseRequestForm(forms.Form):
    tool_name = forms.CharField(
        max_length=200, label="AI tool", help_text="Search the AI catalogue or type any name."
    )
    catalog_key = forms.CharField(max_length=80, required=False, widget=forms.HiddenInput)
    vendor_name = forms.CharField(max_length=200, required=False, label="Vendor")
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What for?")
    data_description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="What data will you put in?"
    )
    data_categories = forms.MultipleChoiceField(
        choices=vocab.DataCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Kinds of personal data",
    )
    affected_people = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Who is affected?",
        help_text="Customers, applicants, employees… leave empty if nobody.",
    )
    team = forms.CharField(max_length=120, required=False)
    jurisdictions = forms.MultipleChoiceField(
        choices=vocab.Jurisdiction.choices[:5],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Where will it be used?",
    )
    domains = forms.MultipleChoiceField(
        choices=vocab.Domain.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Area of use",
    )
    decision_role = forms.ChoiceField(
        choices=vocab.DecisionRole.choices,
        initial=vocab.DecisionRole.NONE,
        label="Does it help decide about people?",
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (AIUseRequest.Status.APPROVED, "Approve"),
            (AIUseRequest.Status.APPROVED_WITH_CONDITIONS, "Approve with conditions"),
            (AIUseRequest.Status.REJECTED, "Reject"),
        ],
        widget=forms.RadioSelect,
    )
    conditions = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    system = forms.IntegerField(
        required=False, label="Link to an existing system (id)", help_text="Empty: create one."
    )


class InviteForm(forms.Form):
    identity = forms.CharField(max_length=300, required=False, label="Person (user name or e-mail)")


class RiskForm(forms.ModelForm):
    class Meta:
        model = Risk
        fields = RISK_FIELDS
        widgets = {
            "system": forms.NumberInput,
            "description": forms.Textarea(attrs={"rows": 3}),
            "treatment_plan": forms.Textarea(attrs={"rows": 2}),
            "due_date": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"system": "System id (empty: organisation-wide)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from programme.selectors import risk_categories

        categories = risk_categories()
        if self.instance.pk and self.instance.category_id:
            categories = categories | RiskCategory.objects.filter(pk=self.instance.category_id)
        self.fields["category"].queryset = categories
        self.fields["category"].label_from_instance = lambda c: f"{c.title} · {c.framework}"
        self.fields["owner"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("username")
        )


class RiskControlForm(forms.Form):
    control = forms.ModelChoiceField(queryset=Control.objects.none())
    status = forms.ChoiceField(choices=RiskControl.Status.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from programme.selectors import control_library

        self.fields["control"].queryset = control_library()


class ControlStatusForm(forms.Form):
    status = forms.ChoiceField(choices=RiskControl.Status.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(required=False)


class TrainingModuleForm(forms.ModelForm):
    class Meta:
        model = TrainingModule
        fields = ["title", "audience", "version", "length_minutes", "link", "refresh_months"]


class CompletionImportForm(forms.Form):
    file = forms.FileField(help_text="CSV or XLSX from the LMS: e-mail, module, completion date.")


class RightsRequestForm(forms.ModelForm):
    class Meta:
        model = RightsRequest
        fields = ["rule", "system", "reference", "received_on", "identity", "handler", "notes"]
        widgets = {
            "system": forms.NumberInput,
            "received_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"rule": "Right and regime", "system": "System id (optional)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from programme.rights import rights_rules

        self.fields["rule"].queryset = rights_rules()
        self.fields["rule"].label_from_instance = lambda r: f"{r.regime.upper()} · {r.title}"
        self.fields["handler"].queryset = get_user_model().objects.filter(is_active=True)


class RightsAnswerForm(forms.Form):
    identity = forms.ChoiceField(choices=RightsRequest.Identity.choices)
    responded_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.ChoiceField(choices=[("", "—"), *RightsRequest.Outcome.choices], required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AssignmentForm(forms.Form):
    module = forms.ModelChoiceField(queryset=TrainingModule.objects.filter(active=True))
    person = forms.CharField(max_length=200, required=False, label="Person (e-mail or user name)")
    team = forms.CharField(max_length=120, required=False, label="or a team")
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
