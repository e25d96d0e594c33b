"""The editorial workflow in the admin: queues, the case page and its actions."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.roles import can_work
from apps.cases import actions, admin_verify, conflicts, policy, row_pickers, selectors, services
from apps.cases.admin_actions import CaseActionsMixin, message_of
from apps.cases.admin_approve import ApproveMixin
from apps.cases.admin_curated import register_curated
from apps.cases.admin_duties import ReportDutyAdmin  # noqa: F401  (registers itself)
from apps.cases.admin_reason import ReasonMixin
from apps.cases.forms import CommentForm, proposal_form_class, proposal_values, refuse_into
from apps.cases.models import Case, ProposedChange, State
from apps.cases.policy import Act
from apps.record import rows
from apps.record.models import Action, Target


class QueueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("mine", "My cases"),
            ("unassigned", "Unassigned"),
            ("review", "In review"),
            ("overdue", "Overdue"),
        ]

    def queryset(self, request, queryset):
        if self.value() in {"mine", "unassigned", "review", "overdue"}:
            return queryset & selectors.queue(self.value(), request.user)
        return queryset


@admin.register(Case)
class CaseAdmin(ApproveMixin, ReasonMixin, CaseActionsMixin, admin.ModelAdmin):
    list_display = ("id", "title", "state", "kind", "priority", "assignee", "due_on", "instrument")
    list_display_links = ("id", "title")
    list_filter = (QueueFilter, "state", "kind", "priority")
    list_select_related = ("assignee", "instrument")
    search_fields = ("title", "description", "instrument__title")
    fields = ("title", "kind", "priority", "due_on", "instrument", "description", "public_reason")
    autocomplete_fields = ("instrument",)
    actions = ("assign_to_me", "dismiss_cases")

    # Rights follow the roles, not Django's per-model add/change flags.
    def has_view_permission(self, request, obj=None):
        return can_work(request.user)

    def has_module_permission(self, request):
        return can_work(request.user)

    def has_add_permission(self, request):
        return can_work(request.user)

    def has_change_permission(self, request, obj=None):
        return can_work(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        # What a case is about is fixed once opened; its state moves only by transitions;
        # a case no longer edited (published or dismissed) is a record and reads as one.
        if obj is not None and policy.check(request.user, Act.EDIT, obj):
            return self.fields
        return ("kind", "instrument") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if change:  # title, priority and due date are plain edits of the case itself
            edited = {k: form.cleaned_data[k] for k in form.changed_data if k in form.cleaned_data}
            if edited:
                services.case_edit(case=obj, actor=request.user, **edited)
            return
        case = services.case_open(created_by=request.user, **form.cleaned_data)
        obj.pk = case.pk

    @admin.action(description="Assign selected cases to me")
    def assign_to_me(self, request, queryset):
        self._bulk(
            request,
            queryset,
            lambda case: services.case_assign(case=case, assignee=request.user, actor=request.user),
            "assigned to you",
        )

    @admin.action(description="Dismiss selected cases")
    def dismiss_cases(self, request, queryset):
        self._bulk(
            request,
            queryset,
            lambda case: services.case_transition(
                case=case, to_state=State.DISMISSED, actor=request.user, note="bulk dismiss"
            ),
            "dismissed",
        )

    def _bulk(self, request, queryset, operation, done: str) -> None:
        ok, refused = 0, []
        for case in queryset:
            try:
                operation(case)
                ok += 1
            except (PermissionDenied, ValidationError) as exc:
                refused.append(f"#{case.pk}: {message_of(exc)}")
        if ok:
            self.message_user(request, f"{ok} case(s) {done}.", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    # -- the case page and its actions -------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "verification/",
                view(lambda request: admin_verify.queue_view(self.admin_site, request)),
                name="cases_case_verification",
            ),
            path("lookup/<str:kind>/", view(row_pickers.lookup_view), name="cases_case_lookup"),
            path("<int:pk>/move/", view(require_POST(self.move_view)), name="cases_case_move"),
            path(
                "<int:pk>/approve/",
                view(self.approve_view),  # GET: the confirmation; POST: approve
                name="cases_case_approve",
            ),
            path("<int:pk>/reason/", view(self.reason_view), name="cases_case_reason"),
            path(
                "<int:pk>/comment/",
                view(require_POST(self.comment_view)),
                name="cases_case_comment",
            ),
            path(
                "<int:pk>/assign/", view(require_POST(self.assign_view)), name="cases_case_assign"
            ),
            path(
                "<int:pk>/propose/<str:target>/", view(self.propose_view), name="cases_case_propose"
            ),
            path(
                "<int:pk>/propose/<str:target>/<int:row_id>/",
                view(self.propose_view),
                name="cases_case_propose_update",
            ),
            path(
                "<int:pk>/retire/<str:target>/<int:row_id>/",
                view(require_POST(self.retire_view)),
                name="cases_case_retire",
            ),
            path(
                "<int:pk>/changes/<int:change_id>/rebase/",
                view(require_POST(self.rebase_view)),
                name="cases_case_rebase",
            ),
            path(
                "<int:pk>/changes/<int:change_id>/withdraw/",
                view(require_POST(self.withdraw_view)),
                name="cases_case_withdraw",
            ),
            *self.action_urls(),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not can_work(request.user):
            raise PermissionDenied
        if request.method == "POST":
            try:
                return super().change_view(request, object_id, form_url, extra_context)
            except ValidationError as exc:  # the case closed meanwhile: nothing saved
                self.message_user(request, message_of(exc), messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
        try:
            case = selectors.case_page(int(object_id))
        except (Case.DoesNotExist, ValueError):
            raise Http404("No such case.") from None
        user = request.user
        published = case.state == State.PUBLISHED
        views = (
            []
            if published
            else selectors.change_views(list(case.changes.all()), live_rows=case.is_open)
        )
        if case.is_open:  # where this case's work meets other cases' (see conflicts)
            elsewhere = conflicts.open_elsewhere(list(case.changes.all()))
            three_way = conflicts.three_way(views)
            for view in views:
                view.elsewhere = elsewhere.get(view.change.pk, [])
                view.three_way = three_way.get(view.change.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Case #{case.pk}: {case.title}",
            "case": case,
            "evidence": selectors.evidence_views(case),
            "change_views": views,
            "applied_views": selectors.applied_views(case) if published else [],
            "buttons": actions.case_buttons(case, user, stale=sum(v.stale for v in views)),
            "can_propose": policy.check(user, Act.PROPOSE, case) is None,
            "can_return": policy.check(user, Act.RETURN, case) is None,
            "targets": Target.choices,
            "comment_form": CommentForm(),
            "editors": policy.assignees(),
            "overdue": case.is_open and case.due_on and case.due_on < timezone.localdate(),
        }
        return TemplateResponse(request, "admin/cases/case/detail.html", context)

    def _case(self, pk: int) -> Case:
        return get_object_or_404(Case, pk=pk)

    def _back(self, pk: int) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:cases_case_change", args=[pk]))

    def _run(self, request, pk: int, operation, success: str) -> HttpResponse:
        return self.run(request, pk, operation, success)

    def move_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self._case(pk)
        to_state = request.POST.get("to", "")
        if to_state not in State.values:
            return HttpResponse("Unknown state.", status=400)
        return self._run(
            request,
            pk,
            lambda: services.case_transition(
                case=case, to_state=to_state, actor=request.user, note=request.POST.get("note", "")
            ),
            f"Case moved to {State(to_state).label}.",
        )

    def comment_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self._case(pk)
        form = CommentForm(request.POST)
        if not form.is_valid():
            self.message_user(request, "A comment cannot be empty.", messages.ERROR)
            return self._back(pk)
        return self._run(
            request,
            pk,
            lambda: services.case_comment(
                case=case, author=request.user, body=form.cleaned_data["body"]
            ),
            "Comment added.",
        )

    def assign_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self._case(pk)
        raw = request.POST.get("assignee", "")
        assignee = get_user_model().objects.filter(pk=raw).first() if raw.isdigit() else None
        return self._run(
            request,
            pk,
            lambda: services.case_assign(case=case, assignee=assignee, actor=request.user),
            "Assignment saved.",
        )

    def propose_view(
        self, request: HttpRequest, pk: int, target: str, row_id: int | None = None
    ) -> HttpResponse:
        if target not in Target.values:
            raise Http404("Unknown kind of row.")
        policy.require(request.user, Act.PROPOSE)
        case = self._case(pk)
        model = rows.model_of(target)
        row = get_object_or_404(model, pk=row_id) if row_id else None
        form_class = proposal_form_class(target)
        # The form validates against a copy, never the live row.
        instance = model.objects.get(pk=row.pk) if row is not None else None
        # A new row may arrive with its parent named (the record page's "Propose a
        # new obligation" names the instrument): only the form's own fields are read.
        initial = (
            {k: v for k, v in request.GET.items() if k in form_class.base_fields}
            if row is None
            else None
        )
        form = form_class(request.POST or None, instance=instance, initial=initial)
        if request.method == "POST" and form.is_valid():
            action = Action.UPDATE if row is not None else Action.CREATE
            try:
                change = services.change_propose(
                    case=case,
                    actor=request.user,
                    target=target,
                    action=action,
                    row=row,
                    values=proposal_values(target, form, new=row is None),
                )
            except PermissionDenied as exc:
                return self.refused(request, pk, message_of(exc))
            except ValidationError as exc:
                # The record's rules over the whole row and what it touches (an
                # identifier another instrument holds, an event an amendment needs):
                # beside the field, on the form as typed, not on the case page.
                refuse_into(form, exc)
            else:
                self.warn_if_proposed_elsewhere(request, change)
                self.message_user(request, "Change proposed.", messages.SUCCESS)
                return self._back(pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "case": case,
            "form": form,
            "row": row,
            "target": target,
            "title": f"Propose {'an update to' if row else 'a new'} {target}",
        }
        return TemplateResponse(request, "admin/cases/case/propose.html", context)

    def retire_view(self, request: HttpRequest, pk: int, target: str, row_id: int) -> HttpResponse:
        if target not in Target.values:
            raise Http404("Unknown kind of row.")
        case = self._case(pk)
        row = get_object_or_404(rows.model_of(target), pk=row_id)
        return self._run(
            request,
            pk,
            lambda: self.warn_if_proposed_elsewhere(
                request,
                services.change_propose(
                    case=case, actor=request.user, target=target, action=Action.RETIRE, row=row
                ),
            ),
            "Retirement proposed.",
        )

    def withdraw_view(self, request: HttpRequest, pk: int, change_id: int) -> HttpResponse:
        change = get_object_or_404(ProposedChange, pk=change_id, case_id=pk)
        return self._run(
            request,
            pk,
            lambda: services.change_withdraw(change=change, actor=request.user),
            "Proposal withdrawn.",
        )


register_curated(admin.site)
