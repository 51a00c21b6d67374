"""Metrics of the triage against a labelled JSON Lines file (contract format)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .constants import CATEGORIES, FLAGS, URGENCIES
from .engine import TriageEngine


@dataclass(frozen=True)
class ClassScore:
    precision: float
    recall: float
    f1: float
    support: int


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def per_class(
    gold: Sequence[str], pred: Sequence[str], labels: Iterable[str]
) -> dict[str, ClassScore]:
    scores: dict[str, ClassScore] = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
        scores[label] = ClassScore(*_prf(tp, fp, fn), support=tp + fn)
    return scores


def evaluate(engine: TriageEngine, rows: Sequence[dict]) -> dict:
    """Run the engine over labelled rows and compute every contract metric."""
    started = time.perf_counter()
    results = [engine.triage(r["text"], agency_country=r.get("agency_country")) for r in rows]
    elapsed = time.perf_counter() - started
    gold_cat = [r["category"] for r in rows]
    pred_cat = [res.category for res in results]
    gold_urg = [r["urgency"] for r in rows]
    pred_urg = [res.urgency for res in results]
    cat_scores = per_class(gold_cat, pred_cat, CATEGORIES)
    present = [c for c in CATEGORIES if cat_scores[c].support]
    urg_scores = per_class(gold_urg, pred_urg, URGENCIES)
    tp = fp = fn = 0
    for r, res in zip(rows, results, strict=True):
        gold, pred = set(r.get("flags", [])), set(res.flags)
        tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
    severe_miss = sum(
        1
        for g, p in zip(gold_cat, pred_cat, strict=True)
        if g in ("sexual_exploitation", "threat_violence", "self_harm")
        and p in ("other", "question")
    )
    confusion = Counter(zip(gold_cat, pred_cat, strict=True))
    n = len(rows)
    return {
        "count": n,
        "category": {c: vars(s) for c, s in cat_scores.items()},
        "category_macro_f1": sum(cat_scores[c].f1 for c in present) / max(1, len(present)),
        "category_accuracy": sum(g == p for g, p in zip(gold_cat, pred_cat, strict=True))
        / max(1, n),
        "urgency_accuracy": sum(g == p for g, p in zip(gold_urg, pred_urg, strict=True))
        / max(1, n),
        "urgency": {u: vars(s) for u, s in urg_scores.items()},
        "emergency_recall": urg_scores["emergency"].recall,
        "emergency_precision": urg_scores["emergency"].precision,
        "severe_as_other_or_question": severe_miss,
        "language_accuracy": sum(
            r.get("language") == res.language for r, res in zip(rows, results, strict=True)
        )
        / max(1, n),
        "flags_micro_f1": _prf(tp, fp, fn)[2],
        "flags": {
            f: vars(s) for f, s in _flag_scores(rows, [res.flags for res in results]).items()
        },
        "confusion": {f"{g}->{p}": c for (g, p), c in sorted(confusion.items())},
        "messages_per_second": n / elapsed if elapsed else 0.0,
    }


def _flag_scores(rows: Sequence[dict], predicted: Sequence[list[str]]) -> dict[str, ClassScore]:
    scores: dict[str, ClassScore] = {}
    for flag in FLAGS:
        tp = fp = fn = 0
        for r, pred in zip(rows, predicted, strict=True):
            g, p = flag in r.get("flags", []), flag in pred
            tp, fp, fn = tp + (g and p), fp + (p and not g), fn + (g and not p)
        scores[flag] = ClassScore(*_prf(tp, fp, fn), support=tp + fn)
    return scores


def format_report(m: dict) -> str:
    """Human-readable report of :func:`evaluate`'s metrics."""
    lines = [f"messages: {m['count']}", "", "category            precision recall    f1  support"]
    for cat in CATEGORIES:
        s = m["category"][cat]
        lines.append(
            f"{cat:<20}{s['precision']:>9.3f}{s['recall']:>7.3f}{s['f1']:>6.3f}{s['support']:>9d}"
        )
    lines += [
        f"category macro-F1: {m['category_macro_f1']:.3f}   accuracy: {m['category_accuracy']:.3f}",
        f"severe categories as other/question: {m['severe_as_other_or_question']}",
        "",
        "urgency             precision recall    f1  support",
    ]
    for urg in URGENCIES:
        s = m["urgency"][urg]
        lines.append(
            f"{urg:<20}{s['precision']:>9.3f}{s['recall']:>7.3f}{s['f1']:>6.3f}{s['support']:>9d}"
        )
    lines += [
        f"urgency accuracy: {m['urgency_accuracy']:.3f}",
        f"emergency recall: {m['emergency_recall']:.3f}   precision: {m['emergency_precision']:.3f}",
        f"language accuracy: {m['language_accuracy']:.3f}",
        f"flag micro-F1: {m['flags_micro_f1']:.3f}",
        "",
        "flag                precision recall    f1  support",
    ]
    for flag in FLAGS:
        s = m["flags"][flag]
        lines.append(
            f"{flag:<20}{s['precision']:>9.3f}{s['recall']:>7.3f}{s['f1']:>6.3f}{s['support']:>9d}"
        )
    lines += ["", "confusion (gold -> predicted, errors only):"]
    lines += [
        f"  {k}: {v}" for k, v in m["confusion"].items() if k.split("->")[0] != k.split("->")[1]
    ]
    lines.append(f"\nthroughput: {m['messages_per_second']:.0f} messages/s")
    return "\n".join(lines)
