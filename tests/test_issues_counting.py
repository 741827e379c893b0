"""The fast paths of issue discovery: tokens into arrays, and the candidate cap.

Discovery at a million grievances depends on two shortcuts: words are numbered
one dict look-up per token straight into an array (compounds patched after),
and only the strongest ``max_candidates`` phrases of each length get document
lists. These tests pin what the shortcuts must not change.
"""

from __future__ import annotations

import dataclasses
import random
from array import array

import pytest

from scanner.issues import Grievance, Lexicon, discover
from scanner.issues.counting import tokenise
from scanner.issues.discover import even_sample
from scanner.issues.names import surface
from scanner.issues.settings import IssueParams


def _stems(numbers: list[int], lexicon: Lexicon) -> list[str | None]:
    return [lexicon.stems[n] if n >= 0 else None for n in numbers]


def test_compounds_join_left_to_right_in_every_script():
    lexicon = Lexicon(names=["Acme"])
    cases = {
        "Can't log in. Sign up then log out!": ("login", None, "signup", "logout"),
        "sign sign in in": ("sign", "login"),  # "in" joined once; a joined word starts nothing
        "log in in": ("login",),
        "वापस पैसे। log in": ("वापस", "पैस", None, "login"),
        "Acme log in": ("login",),  # a company name is a break, never a word
        # an idiom of sentiment ("waste") is left out whole: no "money" in it
        "A waste of money, I pay to chat": ("pay", "chat"),
        "what a waste of my money. log in": ("login",),
        # "ad-libbed" improvises: the hyphen splits it, the compound joins it again
        "The bot ad-libbed, too many ads": ("bot", "improvis", "ad"),
        # a warning to others is sentiment: "watch" here is no ad being watched
        "Gems cost a lot, so watch out. Watch an ad": ("pric", "pric", None, "watch", "ad"),
        "You cash grabbers": ("pric",),  # an idiom in any form: "cash grab", "grabbers"
        "money log in": ("monei", "login"),
        # "kidding" stems to "kid": outrage is no grievance about children
        "Are you kidding me? No kids allowed": ("kid", "allow"),
        # a fault report is the bug theme, whatever stopped working
        "It doesn't work, it keeps kicking me out": ("bug", "bug"),
        "The app is broken, my limit never resets": ("bug", "limit", "bug"),
        "It doesn't even work and no longer works offline": ("bug", "bug", "offlin"),
        # what the service judged inappropriate is its moderation, not the content
        "My review was flagged as inappropriate": ("review", "flag", "censorship"),
        "The bots are inappropriate": ("bot", "inappropriat"),
        # a closed account is no app that closes, a frozen account no frozen app
        "My account was closed. The app closes": ("accountclosur", None, "app", "clos"),
        "My account has been frozen": ("account", "frozen"),
    }
    for text, expected in cases.items():
        assert lexicon.sequence(text) == expected, text


def test_words_that_only_place_or_count_name_nothing():
    # "in the middle of", "a couple of": PolyBuzz had issues named "middle" and
    # "couple" of ads that came mid-chat or every couple of messages.
    lexicon = Lexicon(names=["Acme"])
    text = "Ads in the middle of a chat every couple of minutes"
    assert lexicon.sequence(text) == ("ad", None, "chat", "minut")
    # "since the latest update": EMOCHI World had an issue named "latest update" of
    # memory, bug and boredom posts that only dated their grievance.
    assert lexicon.sequence("Since the latest update the memory is gone") == ("updat", "memori")
    # How hard or normal something is, what happened by accident, what a mess it is:
    # PolyBuzz had four issues named "hard", "normal", "accidentally" and "mess".
    assert lexicon.sequence("What a mess, it messed up my chat") == ("chat",)
    for text in ("so hard to find", "back to normal", "I accidentally swiped"):
        assert lexicon.is_generic(lexicon.sequence(text)[:1]), text


def test_the_ways_of_calling_content_offensive_are_one_word():
    # [synonyms] inappropriate: on PolyBuzz "freaky" bots and "creeps" were an issue
    # of their own beside the "inappropriate" one.
    lexicon = Lexicon(names=["Acme"])
    for text in ("The bots are so freaky", "so creepy, bots", "the bots are inappropriate"):
        assert "inappropriat" in lexicon.sequence(text), text
    # ... but not a word whose stem also means something else: "disturbing" content
    # shares "disturb" with ads that "disturb the chat"
    assert "inappropriat" not in lexicon.sequence("Too many ads, it disturbs the chat")
    # a service enforcing its rules: "compliance" is its censorship, like "violations"
    assert "censorship" in lexicon.sequence("The new compliance policy ruins it")
    assert lexicon.sequence("It cannot engage in restricted content") == ("engag", "censorship")
    # what a chat service says when it refuses a message: Talkie Lab's "please change
    # the topic" was an issue of its own beside its censorship one
    assert lexicon.sequence("It keeps telling me to change my topic") == ("censorship",)
    assert lexicon.sequence("A content warning on every reply") == ("censorship", "repli")
    # what the service calls inappropriate is its moderation (see the compounds test)
    for text in (
        "It says it's inappropriate",
        "somehow inappropriate",
        "said it was inappropriate",
    ):
        assert lexicon.sequence(text) == ("censorship",), text


def test_the_ways_of_calling_output_meaningless_or_repeated_are_one_word():
    # On zeta, bots that "start spamming random words", "speak gibberish" and write
    # "incomplete sentences" were three small issues ("random", "sentences",
    # "story") of one grievance.
    lexicon = Lexicon(names=["Acme"])
    for text in (
        "it starts spamming random words",
        "the bot talks gibberish",
        "replies in incomplete sentences",
        "pure random nonsense",
        "it keeps rambling",
    ):
        assert "gibberish" in lexicon.sequence(text), text
    # "random" alone is no such thing: a random ad, a random logout; nor is a fee
    # called nonsense
    assert "gibberish" not in lexicon.sequence("it randomly logs me out")
    assert "gibberish" not in lexicon.sequence("random ads pop up")
    assert "gibberish" not in lexicon.sequence("this fee is nonsense")
    # A bot that repeats itself, however it is put: on Talkie Lab, EMOCHI World and
    # zeta, "over and over", "repetitive" and "repeating" were no issue or a split one.
    for text in ("so repetitive", "it keeps repeating itself", "says it over and over"):
        assert "repeat" in lexicon.sequence(text), text


def test_the_ways_of_saying_an_app_is_broken_are_a_bug():
    # On Chai, "the app is totally broken", "it is completely broken" and a limit that
    # "hasn't reset" were no bug: the bugs theme held 64% of its reviews.
    lexicon = Lexicon(names=["Acme"])
    for text in (
        "The app is totally broken",
        "Since the update it is completely broken",
        "My message limit hasn't reset in days",
        "Now it's a lagy mess",
        "Лимит не обновляется",
        # a service that is down: Talkie Lab's "network error", Tipsy's servers
        "The servers are down again",
        "all it says is network error",
        "another outage today",
    ):
        assert "bug" in lexicon.sequence(text), text
    # being broke, or broken English, is no fault of the app, nor is a limit that
    # gets refreshed as it should
    for text in (
        "I am broke",
        "I'm completely broke and can't afford it",
        "I'm broke again",
        "Sorry for my broken English",
        "Your messages get refreshed every 24 hours",
    ):
        assert "bug" not in lexicon.sequence(text), text


def test_ids_into_keeps_one_slot_per_token_and_tokenise_drops_left_out_words():
    lexicon = Lexicon(names=["Acme"])
    out = array("i", [7])  # appends after what is there
    lexicon.ids_into("the refund never came", out)
    assert out[0] == 7 and -2 in out[1:]  # "the" left out, still a slot
    texts = ["the refund never came", "my refund, log in please", "", "refund"]
    tokens = tokenise(texts, lexicon, workers=1)
    assert -2 not in tokens.tok.tolist()
    by_doc = [
        [
            w
            for w, d in zip(_stems(tokens.tok.tolist(), lexicon), tokens.doc.tolist(), strict=True)
            if d == i and w
        ]
        for i in range(len(texts))
    ]
    assert by_doc == [list(filter(None, lexicon.sequence(t))) for t in texts]
    assert tokens.n_docs == len(texts)


def test_candidate_cap_keeps_the_themes_and_drops_chance_pairs():
    rng = random.Random(3)
    vocab = [f"w{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}x" for i in range(400)]
    themes = ["qrcode scanner", "parcel locker", "voucher expired"]
    grievances = []
    for i in range(900):
        words = rng.choices(vocab, k=12)
        if i % 3 == 0:
            words.insert(5, themes[i // 3 % 3])
        grievances.append(Grievance(f"g{i}", f"p{i}", " ".join(words)))
    background = [" ".join(rng.choices(vocab, k=12)) for _ in range(300)]
    loose = IssueParams(min_ratio=1.0, keyness=0.0)  # lets chance pairs through
    wide = discover(grievances, background, lexicon=Lexicon(), params=loose)
    capped = discover(
        grievances,
        background,
        lexicon=Lexicon(),
        params=dataclasses.replace(loose, max_candidates=10),
    )
    assert wide.candidates > 3 * 10 >= capped.candidates
    names = {i.name for i in capped.issues}
    assert {"qrcode scanner", "parcel locker", "voucher expired"} <= names
    for issue in capped.issues:
        if issue.name in themes:
            assert issue.people == 100


def test_a_phrase_spans_at_most_three_left_out_words():
    lexicon = Lexicon(names=["Acme"])
    cases = {
        "verify my age": ("verif", "age"),
        "stuck on pending for 5 days": ("stuck", "pend", "day"),
        # seven left-out words between: no phrase "deleted start"
        "deleted and I'm not even able to start": ("delet", None, "start"),
        # words joined into a compound are no gap: "doesn't work" is one word
        "It doesn't work, it keeps kicking me out": ("bug", "bug"),
        "The app is broken, my limit never resets": ("bug", "limit", "bug"),
    }
    for text, expected in cases.items():
        assert lexicon.sequence(text) == expected, text
    texts = ["deleted and I'm not even able to start", "verify my age"]
    tokens = tokenise(texts, lexicon, workers=1)
    words = [lexicon.stems[t] if t >= 0 else None for t in tokens.tok.tolist()]
    assert words == ["delet", None, "start", None, "verif", "age", None]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"waste of money" = "waste"', '"waste of cash" = "waste"'),  # [compounds]
        ('"don\'t mind", ', ""),  # [tolerance]
        ('"i deleted", ', ""),  # [not_issues]
        ('"before", ', ""),  # [clause_ends]
        ('"barely", ', ""),  # [negators]
    ],
)
def test_grouping_regroups_when_a_list_that_names_nothing_reads_changes(
    tmp_path, monkeypatch, old, new
):
    # Grouping keeps vague posts apart (Lexicon.names_nothing): its cache must follow
    # every list that decides what a post names, or an edit would never regroup.
    from scanner.issues.wordlists import vague_fingerprint, word_lists
    from scanner.rules import load_rules, rules_path

    def fingerprint() -> str:
        load_rules.cache_clear()
        word_lists.cache_clear()
        return vague_fingerprint()

    before = fingerprint()
    text = rules_path("phrases.toml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "phrases.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    monkeypatch.setenv("SCAN_RULES_DIR", str(tmp_path))
    try:
        assert fingerprint() != before
    finally:
        monkeypatch.undo()
        fingerprint()


def test_a_phrase_is_named_as_people_wrote_it():
    lexicon = Lexicon(names=["Acme"])
    # A compound is written out whole, contractions glued back.
    assert surface("The chat doesn't work at all", ("bug", "chat"), lexicon) == "chat doesn't work"
    assert surface("I had to verify my age twice", ("age", "verif"), lexicon) == "verify my age"
    # Where a text says it plainly too, the plain word names it.
    assert surface("Money hungry. Paywall costs too much", ("pric",), lexicon) == "paywall"
    # Never inside an aside, never across a long gap.
    assert surface("I didn't mind the ads, but the limit", ("ad",), lexicon) is None
    assert surface("deleted and I'm not even able to start", ("delet", "start"), lexicon) is None
    hindi = tuple(sorted(s for s in lexicon.sequence("उम्र सत्यापन") if s))
    assert len(hindi) == 2 and surface("उम्र सत्यापन फेल", hindi, lexicon) == "उम्र सत्यापन"


def test_a_companys_name_of_several_words_is_one_break():
    # "Pay" is generic, so it is no name word of its own; "Orvella Pay" whole is
    # the company, and "pay froze" no phrase. "pay" elsewhere is still a word.
    lexicon = Lexicon(names=["Orvella Pay"])
    assert lexicon.sequence("Orvella Pay froze my account") == ("froz", "account")
    assert lexicon.sequence("I had to pay again, Orvella froze it") == ("pay", None, "froz")


def test_a_word_is_read_as_the_word_people_mean_by_it():
    # [respellings]: on PolyBuzz 60 reviews wrote "adds" for the ads; read as the verb
    # "add" they joined no ads issue. The verb's other forms stay what they are.
    lexicon = Lexicon(names=["Acme"])
    assert lexicon.sequence("The adds are too long") == lexicon.sequence("The ads are too long")
    assert lexicon.sequence("They added a message limit") == ("add", "messag", "limit")
    assert "ad" not in lexicon.sequence("Please add dark mode")
    # the singular only where the verb cannot stand ([compounds])
    assert lexicon.sequence("Watch an add to keep chatting") == ("watch", "ad", "chat")
    assert lexicon.sequence("An add every 5 minutes") == ("ad", "minut")
    # "advertisement" is the ads, but "advertised" is what was promised: one stem
    # ("advertis") would have read "it was advertised as free" as an ads complaint
    assert lexicon.sequence("Too many advertisements") == lexicon.sequence("Too many ads")
    assert "ad" not in lexicon.sequence("It was advertised as free")


def test_a_synonym_never_takes_a_word_that_only_shares_its_stem():
    # "страна" (country) and "странный" (strange) share the Russian stem "стран": a
    # Chai review of a "strange" limit sat in the region issue.
    lexicon = Lexicon(names=["Acme"])
    assert "region" not in lexicon.sequence("Лимит какой то странный", "ru")
    assert "region" in lexicon.sequence("Заблокировали в России", "ru")


@pytest.mark.parametrize(
    ("size", "at_most", "taken"),
    [
        (99_999, 100_000, 99_999),
        (100_000, 100_000, 100_000),
        (199_999, 100_000, 100_000),
        (250_001, 100_000, 83_334),
        (7, 3, 3),
        (0, 3, 0),
    ],
)
def test_the_background_sample_never_exceeds_its_bound(size, at_most, taken):
    # Every ceil(size / at_most)-th post from the first: 199,999 posts give every
    # other one, not all of them.
    items = range(size)
    sample = even_sample(items, at_most)
    assert len(sample) == taken <= at_most
    assert not size or sample[0] == 0
