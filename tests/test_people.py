"""People, not posts: who counts as one person."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from scanner.judge.people import count_people, is_placeholder, normalise_handle, person_keys


def post(author, source="reddit", text="the refund never came"):
    return {"author": author, "source": source, "text": text}


def test_handles_fold_case_space_and_a_leading_at():
    assert normalise_handle("  @RaviK ") == normalise_handle("ravik") == "ravik"
    assert normalise_handle("Ana  María") == normalise_handle("ana maría")
    assert normalise_handle("ra\u200bvi") == "ravi"  # a zero-width space hides nothing
    assert normalise_handle("Ravi") != normalise_handle("Ravindra")
    # ZWNJ is spelling in Indic scripts, so it is kept.
    assert normalise_handle("क्\u200cष") != normalise_handle("क्ष")


def test_placeholders_in_every_language():
    for name in [
        "",
        None,
        "  ",
        "Anonymous",
        "GUEST",
        "A customer",
        "[deleted]",
        "@anonymous",
        "Anónimo",
        "anonimo",
        "Usuario",
        "अज्ञात",
        "गुमनाम",
        "बेनामी",
        "அநாமதேய",
        "అజ్ఞాత",
        "అనామక",
    ]:
        assert is_placeholder(name), name
        assert normalise_handle(name) is None
    for name in ["Anonymous Coward 77", "guest_4412", "Customer Care Team"]:
        assert not is_placeholder(name), name


def test_a_cross_poster_counts_once_whatever_the_site():
    posts = [post("Ravi", "trustpilot"), post("@ravi", "reddit"), post(" RAVI", "bbb")]
    assert count_people(posts) == 1


def test_placeholder_authors_count_one_person_per_post():
    posts = [post("Anonymous", text="refund never came"), post("Guest", text="no refund yet")]
    assert count_people(posts) == 2
    # identical text on the same source: one post seen twice (any placeholder name)
    same = [post("Anonymous"), post("Guest"), post("")]
    assert count_people(same) == 1
    # identical text on another source: another person
    assert count_people([post("Anonymous", "reddit"), post("Anonymous", "bbb")]) == 2
    # whitespace and case do not make text different
    assert count_people([post(None, text="No  refund"), post(None, text="no refund ")]) == 1


def test_keys_line_up_with_members_and_accept_objects():
    class Member:
        def __init__(self, author, source, text):
            self.author, self.source, self.text = author, source, text

    keys = person_keys([Member("Zed", "a", "x"), Member("zed", "b", "y"), Member(None, "a", "x")])
    assert len(keys) == 3 and keys[0] == keys[1] != keys[2]


@given(st.text(max_size=30))
def test_normalising_is_idempotent(name):
    once = normalise_handle(name)
    if once is not None:
        assert normalise_handle(once) == once
