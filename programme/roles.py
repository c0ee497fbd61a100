from core.roles import Role

REQUEST = "programme.add_aiuserequest"

PERMISSIONS = {
    # Requester: file AI-use requests and see one's own, nothing else. Every other role holds it too.
    Role.REQUESTER: [REQUEST],
    Role.COMPLIANCE_OFFICER: [
        REQUEST,
        "programme.view_aiuserequest",
        "programme.triage_aiuserequest",
        "programme.add_risk",
        "programme.change_risk",
        "programme.add_trainingmodule",
        "programme.change_trainingmodule",
        "programme.add_trainingcompletion",
        "programme.add_trainingassignment",
        "programme.add_rightsrequest",
        "programme.change_rightsrequest",
    ],
    Role.PROCUREMENT: [REQUEST],
    Role.AUDITOR: [REQUEST, "programme.view_aiuserequest"],
}
