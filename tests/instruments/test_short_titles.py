"""The short name a calendar entry or a narrow cell shows (apps.instruments.names)."""

from __future__ import annotations

import pytest

from apps.instruments.names import short_title

AI_ACT = (
    "Regulation (EU) 2024/1689 laying down harmonised rules on artificial intelligence "
    "(Artificial Intelligence Act)"
)
TRAIGA = "Texas HB 149, Texas Responsible Artificial Intelligence Governance Act (TRAIGA)"
EO = "Executive Order 14110: Safe, Secure, and Trustworthy Development and Use of AI"
GUIDELINES = (
    "Commission Guidelines on prohibited artificial intelligence practices established by "
    "Regulation (EU) 2024/1689 (AI Act)"
)


@pytest.mark.parametrize(
    ("title", "short"),
    [
        ("Data Security Law", "Data Security Law"),  # short enough already
        (AI_ACT, "AI Act"),  # the name it gives itself, said as people say it
        (TRAIGA, "TRAIGA"),
        (EO, "Executive Order 14110"),  # its head, before the colon
    ],
)
def test_a_long_title_gives_the_name_readers_use(title, short):
    assert short_title(title) == short


def test_guidance_is_never_named_after_the_act_it_refers_to():
    assert short_title(GUIDELINES) != "AI Act"
    assert short_title(GUIDELINES).startswith("Commission Guidelines on prohibited")


def test_a_title_without_a_name_is_cut_at_a_word_with_an_ellipsis():
    title = "Measures for Labelling Artificial Intelligence-Generated and Synthesised Content"
    cut = short_title(title)
    assert cut.endswith("…") and len(cut) <= 48 and title.startswith(cut[:-1])
