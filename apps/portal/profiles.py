"""A reader's saved profiles: saved from the "What applies" page, opened, changed,
exported, followed and deleted by their owner only (anyone else gets a 404, as
for a profile that does not exist)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from apps.portal import applicability, profile_digest
from apps.portal.models import Reader, SavedProfile
from apps.portal.profile_form import as_query, fill

TAKEN = "You already have a profile with this name."


class NameForm(forms.Form):
    name = forms.CharField(label="Name this profile", max_length=120, strip=True)


def _owned(request: HttpRequest, pk: int) -> SavedProfile:
    return get_object_or_404(SavedProfile, pk=pk, user=request.user)


def _url(saved: SavedProfile) -> str:
    return reverse("portal:profile", kwargs={"pk": saved.pk})


def _store(saved: SavedProfile) -> bool:
    """Save it; False when the reader already has a profile of that name."""
    try:
        with transaction.atomic():
            saved.save()
    except IntegrityError:
        return False
    return True


@login_required
@require_POST
def save(request: HttpRequest) -> HttpResponse:
    """Save the page's profile under a name (the profile comes as the page's query)."""
    query = QueryDict(request.POST.get("profile", ""))
    back = reverse("portal:applicability") + (f"?{query.urlencode()}" if query else "")
    named = NameForm(request.POST)
    form = applicability.form_for(query)
    if not named.is_valid():
        messages.error(request, "Give the profile a name (at most 120 characters).")
        return HttpResponseRedirect(back)
    if not form.is_valid():
        messages.error(request, "The profile has errors; correct them before saving it.")
        return HttpResponseRedirect(back)
    saved = SavedProfile(user=request.user, name=named.cleaned_data["name"])
    fill(saved, form.profile())
    if not _store(saved):
        messages.error(request, TAKEN)
        return HttpResponseRedirect(back)
    messages.success(request, f"Saved as “{saved.name}”.")
    return HttpResponseRedirect(_url(saved))


@login_required
def profile(request: HttpRequest, pk: int) -> HttpResponse:
    """A saved profile's page: its answers in the form, what applies on the day asked.

    Sending the form changes the saved answers (and the name); the day is not saved.
    """
    saved = _owned(request, pk)
    named = NameForm(request.POST or None, initial={"name": saved.name})
    if request.method == "POST":
        form = applicability.form_for(request.POST)
        if named.is_valid() and form.is_valid():
            saved.name = named.cleaned_data["name"]
            fill(saved, form.profile())
            if saved.following:  # new answers: the digest starts again from what applies now
                profile_digest.start(saved, timezone.localdate())
            if _store(saved):
                messages.success(request, f"“{saved.name}” is saved.")
                on = form.cleaned_data.get("on")
                return HttpResponseRedirect(_url(saved) + (f"?on={on}" if on else ""))
            named.add_error("name", TAKEN)
    else:
        form = applicability.form_for(as_query(saved, request.GET.get("on", "")))
    return applicability.respond(
        request,
        form,
        template="portal/applicability_profile.html",
        extra={"saved": saved, "named": named},
    )


@login_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    saved = _owned(request, pk)
    query = as_query(saved, request.GET.get("on", ""))
    name = slugify(saved.name)[:40] or "profile"
    return applicability.export(request, applicability.form_for(query), f"what-applies-{name}")


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = _owned(request, pk)
    saved.delete()
    messages.success(request, f"“{saved.name}” is deleted.")
    return HttpResponseRedirect(reverse("portal:watchlist"))


@login_required
@require_POST
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow (or stop following) a profile. Following starts from what applies now:
    the digest then says what changes, not what already was."""
    with transaction.atomic():
        saved = get_object_or_404(
            SavedProfile.objects.select_for_update(), pk=pk, user=request.user
        )
        wanted = request.POST.get("follow") == "1"
        if wanted and not saved.following:
            profile_digest.start(saved, timezone.localdate())
            Reader.objects.get_or_create(user=request.user)
        saved.following = wanted
        saved.save(update_fields=["following", "reported", "updated_at"])
    if wanted:
        messages.success(request, f"You follow “{saved.name}”: the digest says what changes.")
    else:
        messages.success(request, f"You no longer follow “{saved.name}”.")
    back = reverse("portal:watchlist") if request.POST.get("next") == "watchlist" else _url(saved)
    return HttpResponseRedirect(back)
