"""API tokens over the API: obtain with a password, list and revoke your own (django-rest-knox)."""

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import generics, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.roles import is_reader
from core.tokens import api_token_create, api_token_list, api_token_revoke


class ReaderPermission(BasePermission):
    """Any role holder manages their own tokens; the queries are scoped to the user."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and is_reader(request.user))


class TokenOut(serializers.Serializer):
    token = serializers.CharField(
        help_text="Shown once; send it as `Authorization: Token <token>`."
    )
    expiry = serializers.DateTimeField()


class TokenObtainApi(APIView):
    """POST username and password, get `{"token", "expiry"}`; the token is never shown again."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = AuthTokenSerializer

    @extend_schema(request=AuthTokenSerializer, responses={200: TokenOut})
    def post(self, request: Request) -> Response:
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if not is_reader(user):
            raise serializers.ValidationError(
                {"non_field_errors": ["This account has no Sightline role."]}
            )
        row, token = api_token_create(user=user)
        return Response({"token": token, "expiry": row.expiry})


class TokenSerializer(serializers.ModelSerializer):
    token_key = serializers.CharField(read_only=True, help_text="The token's first characters.")

    class Meta:
        model = AuthToken
        fields = ["token_key", "created", "expiry"]


class TokenListApi(generics.ListAPIView):
    """Your own unexpired API tokens (prefix, created, expiry); never the tokens themselves."""

    serializer_class = TokenSerializer
    queryset = AuthToken.objects.none()  # the schema's model; requests use get_queryset
    permission_classes = [ReaderPermission]
    pagination_class = None

    def get_queryset(self) -> QuerySet[AuthToken]:
        if getattr(self, "swagger_fake_view", False):
            return AuthToken.objects.none()
        return api_token_list(user=self.request.user)


class TokenRevokeApi(APIView):
    """DELETE one of your own tokens by its prefix."""

    permission_classes = [ReaderPermission]  # revoking one's own token is self-service

    @extend_schema(
        responses={204: None, 404: OpenApiResponse(description="No such token of yours")}
    )
    def delete(self, request: Request, token_key: str) -> Response:
        if not api_token_revoke(actor=request.user, token_key=token_key):
            raise Http404("No such token of yours.")
        return Response(status=status.HTTP_204_NO_CONTENT)
