"""API token endpoint: only users holding a role get a token (the API would refuse them anyway)."""

from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from core.roles import is_reader


class TokenObtainApi(ObtainAuthToken):
    """POST username and password, get `{"token": ...}`; send it as `Authorization: Token <key>`."""

    def post(self, request, *args, **kwargs):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if not is_reader(user):
            raise serializers.ValidationError(
                {"non_field_errors": ["This account has no Sightline role."]}
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
