"""Statistical part of the triage: character + word n-gram linear models.

Trained from the corpus shipped in ``data/train.jsonl`` (never the dev set). The
fitted models are cached on disk under ``$NETTPATRULJE_CACHE_DIR`` (default
``./var/cache`` if writable, else the system temp dir), keyed by a hash of the
corpus and the scikit-learn version, so a new corpus or library retrains.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.calibration import CalibratedClassifierCV
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from ._data import data_path

log = logging.getLogger(__name__)
RANDOM_STATE = 13
_MODEL_VERSION = "1"


def _pipeline() -> Pipeline:
    features = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    token_pattern=r"(?u)\b\w+\b",
                ),
            ),
        ]
    )
    # A linear SVM trains in about a second on the corpus (logistic regression on
    # the same features took ~15 s); sigmoid calibration gives usable probabilities.
    classifier = CalibratedClassifierCV(
        LinearSVC(C=0.5, class_weight="balanced", random_state=RANDOM_STATE),
        cv=3,
        method="sigmoid",
    )
    return Pipeline([("features", features), ("clf", classifier)])


@dataclass
class TriageModels:
    category: Pipeline
    urgency: Pipeline

    def category_proba(self, text: str) -> dict[str, float]:
        return _proba(self.category, text)

    def urgency_proba(self, text: str) -> dict[str, float]:
        return _proba(self.urgency, text)


def _proba(model: Pipeline, text: str) -> dict[str, float]:
    probs = model.predict_proba([text])[0]
    return {str(label): float(p) for label, p in zip(model.classes_, probs, strict=True)}


def load_corpus() -> list[dict]:
    with data_path("train.jsonl").open("r", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _corpus_hash() -> str:
    digest = hashlib.sha256(data_path("train.jsonl").read_bytes())
    digest.update(f"{sklearn.__version__}:{np.__version__}:{_MODEL_VERSION}".encode())
    return digest.hexdigest()[:24]


def cache_dir() -> Path:
    configured = os.environ.get("NETTPATRULJE_CACHE_DIR")
    if configured:
        return Path(configured)
    local = Path.cwd() / "var" / "cache"
    if local.exists() or os.access(Path.cwd(), os.W_OK):
        return local
    return Path(tempfile.gettempdir()) / "nettpatrulje-cache"


def train(rows: list[dict]) -> TriageModels:
    texts = [r["text"] for r in rows]
    category = _pipeline().fit(texts, [r["category"] for r in rows])
    urgency = _pipeline().fit(texts, [r["urgency"] for r in rows])
    return TriageModels(category, urgency)


def load_models(*, use_cache: bool = True) -> TriageModels:
    """Fitted models, from the disk cache when the corpus has not changed."""
    path = cache_dir() / f"triage-models-{_corpus_hash()}.pkl"
    if use_cache and path.exists():
        try:
            with path.open("rb") as fh:
                models = pickle.load(fh)  # noqa: S301 - our own cache file, keyed by hash
            if isinstance(models, TriageModels):
                return models
        except Exception:  # a corrupt or foreign cache must never break triage
            log.warning("ignoring unreadable triage model cache %s", path, exc_info=True)
    models = train(load_corpus())
    if use_cache:
        _store(path, models)
    return models


def _store(path: Path, models: TriageModels) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(models, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)  # atomic: concurrent processes never read half a file
    except OSError:
        log.warning("could not write triage model cache %s", path, exc_info=True)
