"""Held-out set and corpus shape.

``data/holdout.jsonl`` was written separately from the training corpus (other
situations, other wording) and is never trained on; its floors are modest on purpose.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from nettpatrulje.triage import LANGUAGES
from nettpatrulje.triage._data import data_path
from nettpatrulje.triage.evaluation import evaluate


def _rows(name: str) -> list[dict]:
    with data_path(name).open("r", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def holdout_metrics(engine):
    return evaluate(engine, _rows("holdout.jsonl"))


def test_holdout_floors(holdout_metrics):
    m = holdout_metrics
    assert m["emergency_recall"] >= 0.9, m["emergency_recall"]
    assert m["emergency_precision"] >= 0.8, m["emergency_precision"]
    assert m["category_macro_f1"] >= 0.75, m["category_macro_f1"]
    assert m["urgency_accuracy"] >= 0.8, m["urgency_accuracy"]
    assert m["language_accuracy"] >= 0.95, m["language_accuracy"]
    assert m["severe_as_other_or_question"] <= 1


def test_holdout_is_not_in_the_training_corpus():
    train = {r["text"].casefold() for r in _rows("train.jsonl")}
    overlap = [r["text"] for r in _rows("holdout.jsonl") if r["text"].casefold() in train]
    assert not overlap


def test_corpus_covers_every_language_and_class():
    rows = _rows("train.jsonl")
    assert len(rows) >= 1600
    per_language = Counter(r["language"] for r in rows)
    assert all(per_language[code] >= 130 for code in LANGUAGES), per_language
    assert min(Counter(r["category"] for r in rows).values()) >= 80
    assert min(Counter(r["urgency"] for r in rows).values()) >= 150
    assert len({r["id"] for r in rows}) == len(rows)
