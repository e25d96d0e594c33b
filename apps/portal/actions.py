"""What a reader does besides reading: follow, set the digest, report a problem."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.portal import watching
from apps.portal.models import Frequency, Reader, SavedProfile, Watch, WatchKind


def own_page(request: HttpRequest, target: str) -> str:
    """`target` when it is a path on this site, else "".

    Browsers read `//host`, `/\\host` and a path with a tab or newline in it as another
    site, so only a path that starts with one slash, holds no backslash or control
    character and that Django's own check accepts for this host is ours.
    """
    target = target.strip()
    if (
        not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in target)
    ):
        return ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return ""
    return target


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return HttpResponseRedirect(own_page(request, target) or fallback)


def _label(kind: str, value: str) -> str | None:
    """What a followed thing is called; None when there is no such published thing."""
    if kind == WatchKind.INSTRUMENT:
        return (
            Instrument.objects.published()
            .filter(slug=value)
            .values_list("title", flat=True)
            .first()
        )
    if kind == WatchKind.JURISDICTION:
        return (
            Jurisdiction.objects.published()
            .filter(code=value)
            .values_list("name", flat=True)
            .first()
        )
    if kind in (WatchKind.TOPIC, WatchKind.SEARCH):
        value = value.strip()
        return value[:300] if value else None
    return None


@login_required
@require_POST
def follow(request: HttpRequest) -> HttpResponse:
    kind, value = request.POST.get("kind", ""), request.POST.get("value", "").strip()
    longest = Watch._meta.get_field("value").max_length
    label = _label(kind, value) if len(value) <= longest else None
    if len(value) > longest:
        messages.error(request, f"What you follow is named in at most {longest} characters.")
    elif label is None:
        messages.error(request, "There is nothing published to follow by that name.")
    else:
        Watch.objects.get_or_create(
            user=request.user, kind=kind, value=value, defaults={"label": label}
        )
        Reader.objects.get_or_create(user=request.user)
        messages.success(request, f"You follow {label}.")
    return _back(request, reverse("portal:watchlist"))


@login_required
@require_POST
def unfollow(request: HttpRequest) -> HttpResponse:
    Watch.objects.filter(
        user=request.user, kind=request.POST.get("kind", ""), value=request.POST.get("value", "")
    ).delete()
    messages.success(request, "You no longer follow it.")
    return _back(request, reverse("portal:watchlist"))


class DigestForm(forms.ModelForm):
    class Meta:
        model = Reader
        fields = ("digest", "include_checks")
        labels = {
            "digest": "Email me updates",
            "include_checks": "Also tell me when editors only checked a row against its sources",
        }
        help_texts = {"include_checks": "A check changes no date, status or duty."}
        widgets = {
            "include_checks": forms.CheckboxInput(attrs={"aria-describedby": "include_checks_help"})
        }


@login_required
def watchlist(request: HttpRequest) -> HttpResponse:
    reader, _ = Reader.objects.get_or_create(user=request.user)
    form = DigestForm(request.POST or None, instance=reader)
    if request.method == "POST":
        if request.POST.get("rotate") == "calendar":
            reader.rotate_calendar_token()
            messages.success(request, "Your calendar address changed; the old one no longer works.")
            return HttpResponseRedirect(reverse("portal:watchlist"))
        if form.is_valid():
            form.save()
            checks = " with checks" if reader.include_checks else ""
            messages.success(request, f"Digest: {reader.get_digest_display()}{checks}.")
            return HttpResponseRedirect(reverse("portal:watchlist"))
    context = {
        "watches": Watch.objects.filter(user=request.user),
        "profiles": SavedProfile.objects.filter(user=request.user).only("pk", "name", "following"),
        "updates": watching.updates_for(request.user, limit=50),
        "form": form,
        "calendar_url": request.build_absolute_uri(
            reverse("portal:calendar", kwargs={"token": reader.calendar_token})
        ),
        "frequencies": Frequency,
    }
    return render(request, "portal/watchlist.html", context)
