"""Who may write what in assessments and vendor evidence (every role reads; auditors download)."""

from core.roles import Role

PERMISSIONS = {
    Role.COMPLIANCE_OFFICER: [
        "assessments.add_assessment",
        "assessments.change_assessment",
        "assessments.approve_assessment",
        "assessments.add_questioncomment",
        "assessments.add_vendorchecklist",
        "assessments.review_evidence",
    ],
    Role.PROCUREMENT: [
        "assessments.add_vendorchecklist",
        "assessments.upload_evidence",
    ],
    Role.AUDITOR: [],
}
