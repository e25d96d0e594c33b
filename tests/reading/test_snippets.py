"""What a search result shows of a long text (apps.reading.snippets): sentences or
words, never half of either, and every marker it opens closed."""

from __future__ import annotations

from apps.reading.snippets import ELLIPSIS, excerpt, mark_substring


def test_a_short_text_is_shown_whole():
    assert excerpt("Providers must «log» events.") == "Providers must «log» events."


def test_the_sentence_holding_the_match_is_shown_with_what_fits_after_it():
    text = "Opening words. " * 10 + "The «match» is here. Next one. " + "Tail words. " * 30
    shown = excerpt(text, limit=60)
    assert shown.startswith(f"{ELLIPSIS} The «match» is here. Next one.")
    assert shown.endswith(ELLIPSIS)
    assert len(shown) <= 64


def test_a_sentence_too_long_is_cut_between_words_around_its_match():
    words = [f"word{n}" for n in range(60)]
    words[30] = "«found»"
    shown = excerpt(" ".join(words) + ".", limit=80)
    inner = shown.strip(ELLIPSIS + " ")
    assert "«found»" in shown and shown.startswith(ELLIPSIS) and shown.endswith(ELLIPSIS)
    assert all(w in words for w in inner.split(" ")), "no word is cut"


def test_a_cut_never_leaves_a_marker_open():
    text = "x" * 10 + " «" + "long" * 80 + "» tail."
    shown = excerpt(text, limit=50)
    assert shown.count("«") == shown.count("»")


def test_text_without_spaces_is_cut_between_characters_around_the_match():
    text = "人工" * 200 + "«知能»" + "法律" * 200
    shown = excerpt(text, limit=40)
    assert "«知能»" in shown and len(shown) <= 42


def test_a_substring_match_is_marked_and_the_texts_own_guillemets_are_not():
    marked = mark_substring("中华人民共和国个人信息保护法", "个人信息")
    assert marked == "中华人民共和国«个人信息»保护法"
    assert mark_substring("« AI » act", "act") == "“ AI ” «act»"


def test_a_long_sentence_shows_where_its_matches_are_densest_not_its_first_match():
    # The AI Act's summary as a phrase search marks it: "AI" early, the phrase late.
    text = (
        "Horizontal EU regulation that sorts «AI» systems into risk tiers, bans a short "
        "list of practices, imposes conformity, documentation and oversight duties on "
        "high-risk systems, transparency duties on certain systems and separate duties "
        "for providers of «general»-«purpose» «AI» models, with fines set by tier."
    )
    shown = excerpt(text, limit=120)
    assert "«general»-«purpose» «AI»" in shown
    assert shown.startswith(ELLIPSIS)


def test_the_sentence_with_the_most_matches_is_chosen_over_an_earlier_one():
    text = (
        "First «AI» sentence. "
        + "Filler words here. " * 20
        + ("The «general»-«purpose» «AI» rules. ")
        + "Tail. " * 20
    )
    assert excerpt(text, limit=80).startswith(f"{ELLIPSIS} The «general»-«purpose» «AI» rules.")
