"""The in-memory grouping engine on labelled sets written by us."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import fuzz

from scanner.errors import RuleFileError
from scanner.grouping import Params, group, prepare, sorted_key
from scanner.grouping.blocking import candidate_pairs
from scanner.grouping.minhash import band_keys
from scanner.grouping.settings import params_from

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
_CHANGES = [(3, "held"), (5, "depot"), (7, "for"), (8, "weeks"), (9, "while"), (10, "support"),
            (13, "delayed"), (14, "by"), (16, "strike"), (18, "clearly"), (20, "my"),
            (21, "neighbour")]  # fmt: skip


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


def test_candidate_pairs_are_prefix_stable() -> None:
    """Tonight's pairs with old texts are exactly those a rebuild finds."""
    texts, _ = _labelled()
    keys, bands = prepare(texts * 3, Params(bucket_cap=4))
    full = candidate_pairs(bands, cap=4)
    for first_new in (0, 10, len(keys) - 5):
        part = candidate_pairs(bands, first_new=first_new, cap=4)
        expected = full[full[:, 1] >= first_new]
        assert np.array_equal(part, expected)
    # the cap bounds the pairs each text gets from a bucket of identical texts
    same = band_keys(["same words here"] * 50, permutations=8, bands=2, shingle=1)
    pairs = candidate_pairs(same, cap=4)
    assert np.bincount(pairs[:, 1]).max() == 4


def test_band_keys_are_stable_values() -> None:
    """Band keys are stored across nights: they must not depend on the process
    (Python's hash() is salted) nor on the chunk a text is processed in."""
    keys = ["order never arrived", "refund not received", ""]
    a = band_keys(keys, permutations=8, bands=4, shingle=2)
    b = band_keys(keys[::-1], permutations=8, bands=4, shingle=2, chunk=1)[::-1]
    assert np.array_equal(a, b)
    assert (a[2] == 0).all() and (a[:2] != 0).all()


def test_short_texts_pair_on_single_words() -> None:
    """A short text with its words reversed shares no word pair with the
    original, so only the single-word bands of short texts can find it."""
    short = "refund never came back after three weeks"
    flipped = " ".join(reversed(short.split()))
    long_text = " ".join(a + b for a in "abcdef" for b in "ghijk")  # 30 words
    texts = [short, "something else entirely here", flipped, long_text]
    without = group(texts, Params(short_words=0)).tolist()
    assert without[0] != without[2]
    labels = group(texts).tolist()
    assert labels[0] == labels[2] and len(set(labels)) == 3
    _, bands = prepare(texts, Params())
    assert bands.shape == (4, Params().band_columns)
    assert (bands[3, Params().bands :] == 0).all() and (bands[0, Params().bands :] != 0).all()


def test_rules_are_validated() -> None:
    assert params_from({"verify": {"threshold": 90}}).threshold == 90
    with pytest.raises(RuleFileError, match="threshold must be a number 0-100, got 140"):
        params_from({"verify": {"threshold": 140}})
    with pytest.raises(RuleFileError, match="unknown keys"):
        params_from({"cluster": {"treshold": 1}})
    with pytest.raises(RuleFileError, match="multiple of bands"):
        params_from({"blocking": {"permutations": 64, "bands": 10}})
    with pytest.raises(RuleFileError, match="multiple of short_bands"):
        params_from({"blocking": {"short_permutations": 30, "short_bands": 16}})
    with pytest.raises(RuleFileError, match="scorer must be one of"):
        params_from({"verify": {"scorer": "WRatio"}})
