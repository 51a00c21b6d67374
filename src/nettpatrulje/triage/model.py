"""Statistical part of the triage: character + word n-gram linear models.

Trained from the corpus shipped in ``data/train.jsonl`` (never the dev set). The
fitted models are cached on disk under ``$NETTPATRULJE_CACHE_DIR`` (default
``./var/cache`` if writable, else the system temp dir), keyed by a hash of the
corpus and the library versions, so a new corpus or library retrains.
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
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from ._data import data_path

log = logging.getLogger(__name__)
RANDOM_STATE = 13
_MODEL_VERSION = "3"


def _features() -> FeatureUnion:
    return FeatureUnion(
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


def _classifier() -> LinearSVC:
    # A linear SVM trains in about a second on the corpus (logistic regression on the
    # same features took ~15 s).
    return LinearSVC(C=0.5, class_weight="balanced", random_state=RANDOM_STATE)


@dataclass
class _Head:
    """One linear classifier over the shared features, as dense arrays."""

    labels: tuple[str, ...]
    weights: np.ndarray  # (n_features, n_classes)
    bias: np.ndarray  # (n_classes,)
    temperature: float


class TriageModels:
    """Category and urgency heads over one shared TF-IDF feature space.

    Inference bypasses scikit-learn's per-call validation (which costs ~10 ms a
    message): n-grams come from the fitted analyzers, weights are dense arrays.
    """

    def __init__(self, union: FeatureUnion, heads: dict[str, _Head]) -> None:
        self._blocks = []
        offset = 0
        for _, vec in union.transformer_list:
            vocab: dict[str, int] = vec.vocabulary_
            idf = vec.idf_.astype(np.float32)
            self._blocks.append((vec.build_analyzer(), vocab, idf, offset))
            offset += len(vocab)
        self._heads = heads

    def _vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        indices: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for analyze, vocab, idf, offset in self._blocks:
            # map(dict.get) and np.unique count in C; a Python loop over every
            # n-gram was the slowest step of the triage.
            known = [j for j in map(vocab.get, analyze(text)) if j is not None]
            if not known:
                continue
            idx, tf = np.unique(np.array(known, dtype=np.int64), return_counts=True)
            val = (1.0 + np.log(tf.astype(np.float32))) * idf[idx]  # sublinear tf x idf
            val /= np.linalg.norm(val) or 1.0  # each block is l2-normalised
            indices.append(idx + offset)
            values.append(val)
        if not indices:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return np.concatenate(indices), np.concatenate(values)

    def _proba(self, head: str, vector: tuple[np.ndarray, np.ndarray]) -> dict[str, float]:
        h = self._heads[head]
        idx, val = vector
        scores = val @ h.weights[idx] + h.bias if len(idx) else h.bias.copy()
        # Softmax over SVM margins with a temperature fitted on cross-validated
        # margins, so the probabilities are neither over- nor under-confident.
        z = scores * h.temperature
        z = np.exp(z - z.max())
        z /= z.sum()
        return {label: float(p) for label, p in zip(h.labels, z, strict=True)}

    def probabilities(self, text: str) -> tuple[dict[str, float], dict[str, float]]:
        """Category and urgency probabilities (features computed once)."""
        vector = self._vector(text)
        return self._proba("category", vector), self._proba("urgency", vector)

    def category_proba(self, text: str) -> dict[str, float]:
        return self._proba("category", self._vector(text))

    def urgency_proba(self, text: str) -> dict[str, float]:
        return self._proba("urgency", self._vector(text))


def _fit_temperature(margins: np.ndarray, gold: np.ndarray) -> float:
    """Temperature minimising the log-loss of softmax(margins * t) (grid search)."""
    best_t, best_loss = 1.0, float("inf")
    # Capped at 3: a sharper model would mute the lexicon evidence it is combined with.
    for t in (0.5, 1.0, 1.5, 2.0, 3.0):
        z = margins * t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = -float(logp[np.arange(len(gold)), gold].mean())
        if loss < best_loss:
            best_t, best_loss = t, loss
    return best_t


def _fit_head(features, labels: list[str]) -> _Head:
    clf = _classifier().fit(features, labels)
    classes = [str(c) for c in clf.classes_]
    margins = cross_val_predict(_classifier(), features, labels, cv=3, method="decision_function")
    gold = np.array([classes.index(label) for label in labels])
    return _Head(
        labels=tuple(classes),
        weights=np.ascontiguousarray(clf.coef_.T, dtype=np.float32),
        bias=clf.intercept_.astype(np.float32),
        temperature=_fit_temperature(np.asarray(margins), gold),
    )


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
    if os.access(Path.cwd(), os.W_OK):
        return Path.cwd() / "var" / "cache"
    return Path(tempfile.gettempdir()) / "nettpatrulje-cache"


def train(rows: list[dict]) -> TriageModels:
    texts = [r["text"] for r in rows]
    union = _features()
    matrix = union.fit_transform(texts)
    heads = {
        "category": _fit_head(matrix, [r["category"] for r in rows]),
        "urgency": _fit_head(matrix, [r["urgency"] for r in rows]),
    }
    return TriageModels(union, heads)


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
