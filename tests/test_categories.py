"""Categories from rules/categories.toml: terms in six languages, word edges in every script."""

from __future__ import annotations

import pytest

from scanner import categories
from scanner.categories import categorise, combine, labels, tokens


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Still waiting for my refund after three weeks", "refunds_cancellations"),
        ("They refunded half and kept the rest", "refunds_cancellations"),  # stem
        ("Quiero mi devolucion ya", "refunds_cancellations"),  # accent left out
        ("Me cobraron dos veces la factura", "billing_fees"),
        ("मेरा पैसा वापस नहीं मिला", "refunds_cancellations"),  # ends in a vowel sign
        ("डिलीवरी में बहुत देरी हुई", "delivery_delays"),
        ("कस्टमर केयर पर कोई जवाब नहीं", "response_speed"),
        ("पैसा फिर्ता गरिएन", "refunds_cancellations"),  # Nepali
        ("பணத்தை திருப்பி தரவில்லை", "refunds_cancellations"),  # Tamil, case ending
        ("ஆப் திறக்கும்போது க்ராஷ் ஆகிறது", "app_website"),
        ("డబ్బు తిరిగి ఇవ్వలేదు", "refunds_cancellations"),  # Telugu
        ("కస్టమర్ కేర్ స్పందన లేదు", "response_speed"),
        ("The agent HUNG UP ON ME twice", "staff_attitude"),  # a phrase, case folded
    ],
)
def test_terms_match_in_each_language(text, key):
    assert key in categorise(text)


def test_word_edges_are_right_in_every_script():
    # "bill" is a term; "billion" and "billy" are other words.
    assert "billing_fees" not in categorise("a billion reasons, said Billy")
    # Hindi "बिल" (bill) must not match inside "बिलकुल" (absolutely).
    assert "billing_fees" not in categorise("बिलकुल ठीक है")
    assert "billing_fees" in categorise("बिल गलत आया")
    # Python's \b would split "पैसा" at its vowel sign; a word here is whole.
    assert tokens("मेरा पैसा वापस") == ["मेरा", "पैसा", "वापस"]
    assert tokens("பணத்தை திருப்பி") == ["பணத்தை", "திருப்பி"]


def test_accents_are_folded_on_latin_letters_only():
    assert categories.fold("Devolución") == "devolucion"
    # Vowel signs and viramas are marks too, and must survive.
    assert categories.fold("वापसी") == "वापसी"
    assert categories.fold("திருப்பி") == "திருப்பி"


def test_nothing_known_is_other():
    assert categorise("Lovely weather today") == ["other"]
    assert categorise("") == ["other"]


def test_every_category_is_labelled_and_other_is_last():
    found = labels()
    assert list(found)[-1] == "other"
    assert {
        "response_speed",
        "staff_attitude",
        "phone_online_service",
        "billing_fees",
        "delivery_delays",
        "refunds_cancellations",
        "product_quality",
        "account_registration",
        "app_website",
    } <= set(found)


def test_a_cluster_takes_its_members_most_common_categories():
    assert combine([["billing_fees"], ["billing_fees", "response_speed"], ["other"]]) == [
        "billing_fees",
        "response_speed",
    ]
    assert combine([["other"], ["other"]]) == ["other"]


def test_a_bad_rule_file_names_the_file_and_key(tmp_path, monkeypatch):
    (tmp_path / "categories.toml").write_text(
        '[categories.x]\nlabel = "X"\n[categories.x.terms]\nen = "refund"\n', encoding="utf-8"
    )
    monkeypatch.setenv("SCAN_RULES_DIR", str(tmp_path))
    categories.load_rules.cache_clear()
    categories._index.cache_clear()
    try:
        with pytest.raises(categories.RuleFileError, match=r"categories\.x\.terms\.en"):
            categorise("refund")
    finally:
        monkeypatch.delenv("SCAN_RULES_DIR")
        categories.load_rules.cache_clear()
        categories._index.cache_clear()
