"""Which tests may kill the mutants of each module `make mutate` covers (tests/MUTATION.md).

mutmut runs, for each mutant, the tests of its session's selection that reach the
function it changes. tests/mutation_plugin.py narrows that to the module's own
selection below, so a mutant of a helper every page calls runs the tests named
after its module's rules, not every test that happens to pass through it.

pyproject's [tool.mutmut] only_mutate and pytest_add_cli_args_test_selection are
these modules and the union of these files; tests/mutation_scores.py checks it.
"""

from __future__ import annotations

MATRIX = "tests/visibility/test_matrix.py"
# The selection the first four modules were scored with (before issue 25), kept whole
# for each of them so their scores stay comparable. Two files are left out, each for a
# reason (tests/MUTATION.md): test_lock_layers.py and test_source_form.py.
FIRST = [
    "tests/amendments/test_status_rules.py",
    "tests/amendments/test_derived_status.py",
    "tests/sources/test_address_guard.py",
    "tests/sources/test_address_guard_in_use.py",
    "tests/cases/test_approval_rules.py",
    "tests/cases/test_follow_ups.py",
    "tests/cases/test_workflow_rules.py",
    "tests/cases/test_policy.py",
    "tests/cases/test_publishing.py",
    "tests/cases/test_notifications.py",
    "tests/cases/test_notices.py",
    "tests/cases/test_conflicts.py",
    "tests/cases/test_submit.py",
]

SELECTION: dict[str, list[str]] = {
    # -- the first four (issue 15): the tests named after the workflow's rules ---------
    # The rule that an act adopts before its amendments take effect (issue 23) came
    # after the first four were scored: its tests are in the proposals' file.
    "apps/amendments/status.py": [*FIRST, "tests/cases/test_proposed_acts.py"],
    "apps/core/addresses.py": FIRST,
    "apps/cases/services.py": FIRST,
    "apps/cases/policy.py": FIRST,
    # -- the API (issue 25) ------------------------------------------------------------
    "apps/api/permissions.py": ["tests/api/test_access.py", MATRIX],
    "apps/api/filters.py": [
        "tests/api/test_choice_filters.py",
        "tests/api/test_filter_rules.py",
        "tests/api/test_filter_scopes.py",
        "tests/api/test_reading.py",
        "tests/api/test_law_over_time.py",
        "tests/api/test_as_of_in_force.py",
        "tests/api/test_errors.py",
    ],
    # Not the matrix: it reaches the feed on every API surface, and a surviving mutant
    # would run all of it (minutes under load) for what the feed's own tests hold.
    "apps/api/feed.py": [
        "tests/api/test_changes_feed.py",
        "tests/api/test_errors.py",
        "tests/api/test_unpublished.py",
    ],
    # -- the portal --------------------------------------------------------------------
    "apps/portal/views.py": [
        "tests/portal/test_pages.py",
        "tests/portal/test_instrument_page.py",
        "tests/portal/test_jurisdiction_page.py",
        "tests/portal/test_read_cache.py",
        MATRIX,
    ],
    "apps/portal/actions.py": [
        "tests/portal/test_redirects.py",
        "tests/portal/test_watching.py",
        "tests/visibility/test_reader_actions.py",
    ],
    # Not the matrix: it reaches the exports through their views, which are not mutated
    # (@login_required), and only the helpers' columns and formats are, which the
    # export tests hold; a surviving mutant would run every export surface of it.
    "apps/portal/exports.py": [
        "tests/portal/test_exports.py",
        "tests/portal/test_export_rows.py",
        "tests/portal/test_watching.py",
        "tests/portal/test_law_feeds.py",
        "tests/portal/test_law_over_time.py",
        "tests/visibility/test_reader_actions.py",
    ],
    # -- webhooks ----------------------------------------------------------------------
    "apps/webhooks/delivery.py": [
        "tests/webhooks/test_delivery.py",
        "tests/webhooks/test_delivery_rules.py",
        "tests/webhooks/test_retries.py",
        "tests/webhooks/test_what_counts_as_delivered.py",
        "tests/webhooks/test_large_answers.py",
        "tests/webhooks/test_private_addresses.py",
        "tests/webhooks/test_api.py",
    ],
    # -- accounts ----------------------------------------------------------------------
    "apps/accounts/roles.py": ["tests/accounts/test_roles.py", "tests/cases/test_policy.py"],
    "apps/accounts/lockout.py": ["tests/accounts/test_lockout.py"],
    "apps/accounts/invitations.py": [
        "tests/accounts/test_invitation_tokens.py",
        "tests/accounts/test_invitations.py",
    ],
    # -- the watcher -------------------------------------------------------------------
    # Not test_large_changes.py: its one database test would make every mutant's
    # session start the database, for rules test_bounded_diff.py holds without it.
    "apps/sources/bounded_diff.py": [
        "tests/sources/test_bounded_diff.py",
        "tests/sources/test_diffing.py",
    ],
    "apps/sources/adapters/federal_register_notes.py": [
        "tests/sources/test_adapter_federal_register.py",
        "tests/sources/test_fr_notes_corpus.py",
        "tests/sources/test_fr_notes_reading.py",
    ],
}


def dotted(module: str) -> str:
    """The prefix of its mutants' names: "apps/api/feed.py" -> "apps.api.feed"."""
    return module.removesuffix(".py").replace("/", ".")


def module_of(mutant: str) -> str | None:
    """The module (path) a mutant's name ("apps.api.feed.x_get__mutmut_3") belongs to."""
    return next((m for m in SELECTION if mutant.startswith(dotted(m) + ".")), None)


def union() -> list[str]:
    return sorted({test for tests in SELECTION.values() for test in tests})
