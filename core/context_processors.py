from core.roles import Role, user_roles


def roles(request) -> dict:
    current = user_roles(request.user) if hasattr(request, "user") else set()
    labels = [Role(r).label for r in sorted(current)]
    return {"user_roles": current, "user_role_labels": labels, "Role": Role}
