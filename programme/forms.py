from django import forms

from inventory import vocab
from programme.models import AIUseRequest


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
