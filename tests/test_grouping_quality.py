"""A quality gate for grouping: B-cubed floors on the two generated bench corpora.

Small versions of what ``bench/cluster.py`` measures at 100k and 1M: the
``current`` corpus (Zipf words, Indic scripts, hard negatives, short texts)
and the ``stock`` corpus (complaints told with shared stock sentences, issue
#14). The floors sit a little under what the engine scores today, so noise
cannot fail them and a real loss does. Raise a floor when grouping improves;
lower one only on purpose, saying why in the commit.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from scanner.grouping import Params, group, prepare
from scanner.grouping.blocking import candidate_pairs

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402
import corpus_stock  # noqa: E402
from bcubed import bcubed, recall_of  # noqa: E402

SIZE = 3000
INDIC = {"hi", "ne", "ta", "te"}


FLOORS = {"current": 0.988, "stock": 0.996}  # B-cubed F1 at SIZE texts
# B-cubed precision alone: 1.0 on both today. A false merge is the costly error
# (two isolated complaints become one "systemic" grievance), and F1 hides it on
# the current corpus: with the threshold at 50 instead of 85 its F1 rises (recall
# gains more than precision loses); its precision falls to 0.9985, the stock
# corpus's to 0.991 (at 75: 0.9984).
PRECISION_FLOORS = {"current": 0.999, "stock": 0.999}


@cache
def _grouped(name: str) -> tuple[corpus.Corpus, np.ndarray]:
    made = {"current": corpus.generate, "stock": corpus_stock.generate}[name](SIZE)
    return made, group(made.texts)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_bcubed_f1_and_precision_hold_their_floors(name: str) -> None:
    made, found = _grouped(name)
    precision, recall, f1 = bcubed(made.labels, found)
    assert f1 >= FLOORS[name], (name, precision, recall, f1)
    assert precision >= PRECISION_FLOORS[name], (name, precision, recall, f1)


def test_indic_and_short_texts_keep_their_recall() -> None:
    """The recall of the hard texts alone: an English-only or long-text-only
    check would not notice if blocking lost them."""
    made, found = _grouped("current")
    indic = np.array([lang in INDIC for lang in made.languages])
    short = np.array([len(t.split()) < 20 for t in made.texts])
    assert indic.sum() > 100 and short.sum() > 50
    assert recall_of(made.labels, found, indic) >= 0.97
    assert recall_of(made.labels, found, short) >= 0.89


def test_stock_sentences_do_not_flood_the_scorer() -> None:
    """Unrelated complaints sharing stock sentences used to be scored by the
    hundred per text (98 per text here, 309 at 100k); restatements are
    about one per text."""
    made, _ = _grouped("stock")
    params = Params()
    _, sketch = prepare(made.texts, params)
    pairs = candidate_pairs(sketch, params)
    assert len(pairs) / SIZE < 5
    labels = np.array(made.labels)
    same = labels[pairs[:, 0]] == labels[pairs[:, 1]]
    assert same.mean() > 0.3
