"""The in-memory grouping engine on labelled sets written by us."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import fuzz

from scanner.clustering.settings import params_from
from scanner.errors import RuleFileError
from scanner.grouping import Params, group, prepare, sorted_key
from scanner.grouping.blocking import candidate_pairs
from scanner.grouping.minhash import _MULTIPLIERS, WORDS, _word_hashes, sketches
from scanner.grouping.similarity import SharedWords, estimated_jaccard

FIXTURES = Path(__file__).parent / "fixtures" / "grouping"


def _labelled() -> tuple[list[str], list[str]]:
    groups = json.loads((FIXTURES / "labelled.json").read_text(encoding="utf-8"))["groups"]
    texts, names = [], []
    for name, members in groups.items():
        texts += members
        names += [name] * len(members)
    return texts, names


def _clusters(names: list[str], labels: np.ndarray) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for name, label in zip(names, labels.tolist(), strict=True):
        found.setdefault(name, set()).add(label)
    return found


@pytest.mark.parametrize("order", ["as written", "reversed", "interleaved"])
def test_restatements_group_and_different_grievances_stay_apart(order: str) -> None:
    texts, names = _labelled()
    index = list(range(len(texts)))
    if order == "reversed":
        index.reverse()
    elif order == "interleaved":
        index = index[::2] + index[1::2]
    labels = group([texts[i] for i in index])
    found = _clusters([names[i] for i in index], labels)
    for name, labels_of_group in found.items():
        assert len(labels_of_group) == 1, f"{name} split into {len(labels_of_group)} clusters"
    owners: dict[int, str] = {}
    for name, (label,) in found.items():
        assert label not in owners, f"{name} and {owners.get(label)} share a cluster"
        owners[label] = name


def test_hard_negatives_really_share_many_words() -> None:
    """The *-other texts are a real test: they share most of their words."""
    texts, names = _labelled()
    for name in {n for n in names if n.endswith("-other")}:
        other = texts[names.index(name)]
        group_text = texts[names.index(name.removesuffix("-other"))]
        shared = set(sorted_key(other).split()) & set(sorted_key(group_text).split())
        assert len(shared) >= 5, name


# A chaining trap: grievance A, grievance C (A with 12 of its 30 words changed),
# and bridge texts part way between them. Every step of the chain is a
# near-duplicate of the next, so connected components would join A and C.
_A = " ".join(
    (
        "the parcel was left outside in the rain and the courier marked it as handed to me",
        "personally which is false and the box was soaked through when i found it",
    )
).split()
_CHANGES = [
    (3, "held"),
    (5, "depot"),
    (7, "for"),
    (8, "weeks"),
    (9, "while"),
    (10, "support"),
    (13, "delayed"),
    (14, "by"),
    (16, "strike"),
    (18, "clearly"),
    (20, "my"),
    (21, "neighbour"),
]


def _variant(words: list[str], k: int) -> str:
    out = list(words)
    if k >= 0:
        out[k] = out[k][::-1]  # one garbled word: another person, another typo
    return " ".join(out)


def _chain_texts() -> tuple[list[str], list[str]]:
    c_words = list(_A)
    for position, word in _CHANGES:
        c_words[position] = word
    a_group = [_variant(_A, k) for k in (-1, 24, 26, 28)]
    c_group = [_variant(c_words, k) for k in (-1, 24, 26, 28)]
    bridges = []
    for step in (3, 6, 9):
        words = list(_A)
        for position, word in _CHANGES[:step]:
            words[position] = word
        bridges.append(" ".join(words))
    return a_group + bridges + c_group, ["A"] * 4 + ["bridge"] * 3 + ["C"] * 4


def test_chaining_trap_is_real() -> None:
    texts, names = _chain_texts()
    keys = [sorted_key(t) for t in texts]
    parent = list(range(len(texts)))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if fuzz.ratio(keys[i], keys[j]) >= Params().threshold:
                parent[find(j)] = find(i)
    assert find(names.index("A")) == find(names.index("C"))
    assert fuzz.ratio(keys[0], keys[names.index("C")]) < 75  # A and C are different


def test_chaining_trap_stays_apart() -> None:
    texts, names = _chain_texts()
    labels = group(texts).tolist()
    a = {lab for lab, n in zip(labels, names, strict=True) if n == "A"}
    c = {lab for lab, n in zip(labels, names, strict=True) if n == "C"}
    assert len(a) == 1 and len(c) == 1
    assert a != c


def test_an_empty_or_punctuation_only_text_is_its_own_cluster() -> None:
    labels = group(["", "!!!", "...", "order 1 late", "order 2 late"]).tolist()
    assert len(set(labels[:3])) == 3
    assert labels[3] == labels[4]


_STOCK = [
    "they promised a refund within days but nothing has come",
    "my account was blocked and live chat read from a script",
    "the courier left the parcel outside in the rain",
    "nobody answers the phone and the hold music never stops",
    "i was charged twice for the same order",
    "the app logs me out every time i try to pay",
    "support closed my ticket without solving anything",
    "the replacement has the same fault as the first one",
    "i returned it with a receipt from the post office",
    "the manager promised to call me back and never did",
    "my loyalty points disappeared after the update",
    "the website says it is in stock but every order is cancelled",
]


def _stock_texts(n: int, seed: int = 7) -> list[str]:
    """Complaints told with a few stock sentences each (about a third of them
    retold by others with a typo): many crowded buckets, few restatements."""
    rng = random.Random(seed)
    items = [
        f"{a} {b}"
        for a in ("red", "steel", "smart", "old", "new", "big")
        for b in ("kettle", "laptop", "sofa", "blender", "phone", "printer")
    ]
    texts: list[str] = []
    while len(texts) < n:
        item = rng.choice(items)
        words = " ".join(f"{s} {item}" for s in rng.sample(_STOCK, rng.randint(3, 5))).split()
        texts.append(" ".join(words))
        if rng.random() < 0.3:
            words[rng.randrange(len(words))] = "typo"
            texts.append(" ".join(words))
    rng.shuffle(texts)
    return texts[:n]


@pytest.mark.parametrize("cap", [1, 2, 4])
def test_candidate_pairs_are_prefix_stable(cap: int) -> None:
    """Tonight's pairs with old texts are exactly those a rebuild finds, also
    when crowded buckets are split deeper or fall back to their first texts."""
    texts, _ = _labelled()
    params = Params(bucket_cap=cap, crowded_cap=1, min_jaccard=0)
    _, sketch = prepare(texts * 3 + _stock_texts(300), params)
    full = candidate_pairs(sketch, params)
    assert len(full)
    for first_new in (0, 10, 150, len(sketch) - 5):
        part = candidate_pairs(sketch, params, first_new=first_new)
        assert np.array_equal(part, full[full[:, 1] >= first_new])


def test_a_crowded_bucket_gives_its_first_texts() -> None:
    """Fifty identical texts: each pairs with all earlier ones while there are
    at most bucket_cap, then only with the first crowded_cap."""
    _, sketch = prepare(["same words here"] * 50, Params())
    pairs = candidate_pairs(sketch, Params(bucket_cap=4, crowded_cap=2))
    counts = np.bincount(pairs[:, 1], minlength=50)
    assert counts[:5].tolist() == [0, 1, 2, 3, 4]
    assert (counts[5:] == 2).all()
    assert set(pairs[pairs[:, 1] >= 5, 0].tolist()) == {0, 1}


def test_sketches_do_not_depend_on_the_process_or_the_chunk() -> None:
    """Sketches are stored across nights: they must not depend on the process
    (Python's hash() is salted) nor on the chunk a text is processed in."""
    keys = ["order never arrived", "refund not received", "", "मेरा ऑर्डर नहीं आया"]
    here = sketches(keys, permutations=16)
    assert np.array_equal(here, sketches(keys[::-1], permutations=16, chunk=1)[::-1])
    assert (here[2] == 0).all() and here[:, WORDS].tolist() == [3, 3, 0, 4]
    code = (
        "import sys, json; from scanner.grouping.minhash import sketches; "
        "print(json.dumps(sketches(json.loads(sys.argv[1]), permutations=16).tolist()))"
    )
    for seed in ("1", "2"):
        out = subprocess.run(
            [sys.executable, "-c", code, json.dumps(keys)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert json.loads(out.stdout) == here.tolist()


def test_no_word_is_the_minimum_of_many_permutations() -> None:
    """Each permutation must order words independently. With the former
    ``lo + k * hi`` family one word could be the minimum of 27 of 64
    permutations, and a pair of restatements sharing 84% of their words then
    agreed on 42% of the values."""
    rng = random.Random(5)
    for _ in range(2000):
        words = [
            "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6)) for _ in range(60)
        ]
        h, _ = _word_hashes([" ".join(words)])
        with np.errstate(over="ignore"):
            winners = (h[None, :] * _MULTIPLIERS[:64, None]).argmin(axis=1)
        assert np.bincount(winners).max() <= 12


def test_sketches_estimate_the_jaccard_similarity() -> None:
    rng = random.Random(3)
    for shared in (10, 30, 50):
        errors = []
        for _ in range(200):
            common = [f"w{rng.random()}" for _ in range(shared)]
            a = common + [f"a{rng.random()}" for _ in range(60 - shared)]
            b = common + [f"b{rng.random()}" for _ in range(60 - shared)]
            sketch = sketches([" ".join(a), " ".join(b)], permutations=64)
            jaccard = shared / (120 - shared)
            errors.append(estimated_jaccard(sketch, np.array([[0, 1]]))[0] - jaccard)
        assert abs(np.mean(errors)) < 0.02 and max(map(abs, errors)) < 0.25


def test_shared_words_counts_agreements_outside_the_band() -> None:
    """The vectorised check (eight low bytes to a word, zero-byte test) agrees
    with comparing the values one by one, leaving out the band's columns."""
    rng = np.random.default_rng(4)
    sketch = rng.integers(0, 1 << 16, (300, 65), dtype=np.uint16)
    sketch[1::2, :40] = sketch[0::2, :40]  # odd texts copy most of their neighbour
    sketch[:, WORDS] = 40
    sketch[:10, WORDS] = 5  # short texts: always kept
    pairs = rng.integers(0, 300, (5000, 2))
    pairs[:2000, 1] = pairs[:2000, 0] ^ 1
    band = (60, 61, 62, 63, 0, 1, 2, 3)
    for threshold in (0.3, 0.55, 0.7):
        kept = SharedWords(sketch, Params(min_jaccard=threshold))(pairs[:, 0], pairs[:, 1], band)
        same = (sketch[pairs[:, 0], :64] & 0xFF) == (sketch[pairs[:, 1], :64] & 0xFF)
        others = [c for c in range(64) if c not in band]
        expected = same[:, others].sum(axis=1) >= np.ceil(threshold * len(others))
        short = np.minimum(pairs[:, 0], pairs[:, 1]) < 10
        assert np.array_equal(kept, expected | short)
        assert 0 < kept.sum() < len(pairs)


def test_short_texts_get_looser_bands() -> None:
    """Three typos in a seven-word text leave it few of the original's words:
    the main bands miss the pair, the short-text bands find it."""
    short = "refund never came back after three weeks"
    typos = "refnud nevr came bakc after three weeks"
    long_text = " ".join(a + b for a in "abcdef" for b in "ghijk")  # 30 words
    texts = [short, "something else entirely here", typos, long_text]
    without = group(texts, Params(short_words=0)).tolist()
    assert without[0] != without[2]
    labels = group(texts).tolist()
    assert labels[0] == labels[2] and len(set(labels)) == 3
    _, sketch = prepare(texts, Params())
    assert sketch.shape == (4, Params().sketch_columns)
    assert sketch[:, WORDS].tolist() == [7, 4, 7, 30]


def test_rules_are_validated() -> None:
    assert params_from({"verify": {"threshold": 90}}).threshold == 90
    with pytest.raises(
        RuleFileError, match=r"\[verify\] `threshold` must be a number from 0 to 100, got 140"
    ):
        params_from({"verify": {"threshold": 140}})
    with pytest.raises(RuleFileError, match=r"\[cluster\] `treshold` is not a known key"):
        params_from({"cluster": {"treshold": 1}})
    with pytest.raises(RuleFileError, match="multiple of bands"):
        params_from({"blocking": {"permutations": 64, "bands": 10}})
    with pytest.raises(RuleFileError, match="must not exceed permutations"):
        params_from({"blocking": {"short_bands": 40, "short_rows": 2}})
    with pytest.raises(RuleFileError, match=r"rows \(9\) <= max_rows \(8\)"):
        params_from({"blocking": {"rows": 9}})
    with pytest.raises(RuleFileError, match="crowded_cap"):
        params_from({"blocking": {"crowded_cap": 9}})
    with pytest.raises(RuleFileError, match="`min_jaccard` must be a number from 0 to 1, got 2"):
        params_from({"blocking": {"min_jaccard": 2}})
    with pytest.raises(RuleFileError, match="`scorer` must be one of"):
        params_from({"verify": {"scorer": "WRatio"}})


def test_posts_that_name_no_problem_stand_alone() -> None:
    # "bad" six times is six unspecific complaints, not one grievance; a short post
    # that names something ("remove the limit") still groups, and so does a
    # sentiment-only post when nobody says which texts name nothing.
    from scanner.issues.lexicon import Lexicon

    vague = ["bad", "Bad!", "so bad", "I hate it", "worst app ever", "Acme sucks", "😭😭"]
    specific = ["please remove the limit", "Please remove the limit!!", "remove the limit please"]
    texts = vague + vague + specific
    labels = group(texts, names_nothing=Lexicon(names=["Acme"]).names_nothing).tolist()
    assert len(set(labels[: 2 * len(vague)])) == 2 * len(vague)
    assert len(set(labels[2 * len(vague) :])) == 1
    plain = group(texts).tolist()
    assert plain[0] == plain[len(vague)]
