from django import template
from django.utils import timezone

from apps.cases import desk

register = template.Library()


@register.simple_tag
def desk_board(user):
    return desk.board(user)


@register.simple_tag
def desk_counts(user):
    return desk.counts(user)


@register.filter
def overdue(case) -> bool:
    return bool(case.due_on and case.due_on < timezone.localdate())
