"""/api/v1/webhooks/: a client's own endpoints and their delivery log (scope `webhooks`).

Every query starts from the requesting client's endpoints, so another client's
endpoint answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.reverse import reverse

from apps.api.base import ApiView
from apps.api.models import Scope
from apps.api.renderers import LIST_RENDERERS
from apps.core.addresses import AddressRefused, check_url
from apps.record.models import Target
from apps.webhooks import delivery
from apps.webhooks.models import Status, WebhookDelivery, WebhookEndpoint


class EndpointSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    url = serializers.URLField(read_only=True)
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=Target.choices))
    link = serializers.SerializerMethodField(help_text="This endpoint in the API.")
    deliveries = serializers.SerializerMethodField(help_text="Its delivery log.")

    class Meta:
        model = WebhookEndpoint
        fields = (
            "id",
            "url",
            "description",
            "kinds",
            "active",
            "consecutive_failures",
            "last_success_at",
            "disabled_at",
            "disabled_reason",
            "created_at",
            "link",
            "deliveries",
        )
        read_only_fields = fields

    def _link(self, name: str, obj: WebhookEndpoint) -> str:
        return reverse(name, kwargs={"endpoint": obj.public_id}, request=self.context["request"])

    def get_link(self, obj: WebhookEndpoint) -> str:
        return self._link("api:webhook-detail", obj)

    def get_deliveries(self, obj: WebhookEndpoint) -> str:
        return self._link("api:webhook-deliveries", obj)


class CreatedEndpointSerializer(EndpointSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="Signs every delivery (X-Tracker-Signature). Shown only in this answer.",
    )

    class Meta(EndpointSerializer.Meta):
        fields = (*EndpointSerializer.Meta.fields, "secret")
        read_only_fields = fields


class NewEndpointSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000, help_text="A public http(s) URL.")
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Target.choices),
        required=False,
        default=list,
        max_length=len(Target.choices),
        help_text="The kinds of record to receive changes of; empty or absent: all.",
    )
    description = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="A note for your own records.",
    )

    def validate(self, attrs: dict) -> dict:
        # Refused like an unknown query parameter: a misspelt "kind" must not silently
        # register an endpoint for every kind.
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {unknown[0]: f"unknown field; this body takes {', '.join(self.fields)}"}
            )
        return attrs

    def validate_url(self, url: str) -> str:
        try:
            check_url(url, allow_private=delivery.allow_private())
        except AddressRefused as exc:
            raise serializers.ValidationError(str(exc)) from None
        return url


class DeliverySerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=Status.choices)

    class Meta:
        model = WebhookDelivery
        fields = (
            "id",
            "status",
            "attempt",
            "change_ids",
            "status_code",
            "error",
            "started_at",
            "finished_at",
            "duration_ms",
        )
        read_only_fields = fields


class WebhookView(ApiView):
    required_scope = Scope.WEBHOOKS

    def endpoints(self):
        # The one place the client's rows are chosen: everything below goes through it.
        return WebhookEndpoint.objects.filter(client=self.request.user)

    def endpoint(self) -> WebhookEndpoint:
        found = self.endpoints().filter(public_id=self.kwargs["endpoint"]).first()
        if found is None:
            raise Http404(f"You have no webhook endpoint {self.kwargs['endpoint']}.")
        return found


class EndpointList(WebhookView):
    renderer_classes = LIST_RENDERERS
    serializer_class = EndpointSerializer

    def get_queryset(self):
        return self.endpoints().order_by("created_at", "pk")

    @extend_schema(
        responses=EndpointSerializer(many=True),
        summary="Your webhook endpoints",
        description="The endpoints registered with your key's client, oldest first, with "
        "their health (`consecutive_failures`, `disabled_at`, `disabled_reason`). Needs the "
        "`webhooks` scope.",
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=NewEndpointSerializer,
        responses={201: CreatedEndpointSerializer},
        summary="Register an endpoint; the answer carries its signing secret, once",
        description="Registers a public http(s) URL to receive the changes published from "
        "now on, for some kinds only or all. The answer's `secret` signs every delivery "
        '(`X-Tracker-Signature`) and is never shown again. Example body: `{"url": '
        '"https://hooks.example.org/tracker", "kinds": ["instrument", "obligation"]}`.',
    )
    def post(self, request):
        given = NewEndpointSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        endpoint, secret = delivery.register(request.user, **given.validated_data)
        endpoint.secret = secret
        data = CreatedEndpointSerializer(endpoint, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": data["link"]})


class EndpointDetail(WebhookView):
    lookup_url_kwarg = "endpoint"
    serializer_class = EndpointSerializer

    @extend_schema(
        summary="One of your webhook endpoints",
        description="An endpoint by its id, as the list shows it (never its secret).",
    )
    def get(self, request, endpoint):
        return Response(self.get_serializer(self.endpoint()).data)

    @extend_schema(
        responses={204: None},
        summary="Delete an endpoint and its delivery log",
        description="Stops deliveries to the endpoint and forgets it and its log; no body.",
    )
    def delete(self, request, endpoint):
        self.endpoint().delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliveryList(WebhookView):
    # Not "endpoint": base.ApiView takes the lookup kwarg's presence to mean a
    # detail page, and this is a (paginated) list.
    lookup_url_kwarg = "delivery"
    renderer_classes = LIST_RENDERERS
    serializer_class = DeliverySerializer

    def get_queryset(self):
        return WebhookDelivery.objects.filter(endpoint=self.endpoint()).order_by("-pk")

    @extend_schema(
        responses=DeliverySerializer(many=True),
        summary="An endpoint's delivery log, newest first",
        description="Each attempt to deliver changes to the endpoint: its status (`pending`, "
        "`delivered`, `failed`, `refused`), the change ids it carried, the HTTP status, the "
        "error and timings.",
    )
    def get(self, request, endpoint):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
