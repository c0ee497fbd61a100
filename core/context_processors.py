from core.roles import Role, user_roles


def roles(request) -> dict:
    current = user_roles(request.user) if hasattr(request, "user") else set()
    return {"user_roles": current, "Role": Role}
