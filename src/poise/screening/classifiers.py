"""Text classifiers: an interface, and trained baselines for drug sales and scams.

A :class:`TextClassifier` scores texts with one probability per label. The baseline is a scikit-learn
pipeline (character n-gram TF-IDF over normalised text, then logistic regression) trained at start-up, in
well under a second, on a corpus generated from ``data/classifier_corpus.yaml`` with a fixed seed: nothing
is downloaded, and the model is reproducible. It is a baseline for human-reviewed or shadow rules, not a
substitute for a production model; :func:`evaluate` reports its precision and recall on held-out samples.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Protocol

import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_fscore_support
from sklearn.pipeline import Pipeline, make_pipeline

from poise.screening.text import normalise

_SLOT = re.compile(r"\{(\w+)\}")


class TextClassifier(Protocol):
    """Scores texts: for each text, a probability per label."""

    name: str
    labels: tuple[str, ...]

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]: ...


@dataclass(frozen=True)
class Corpus:
    """Labelled examples and the taxonomy category of each label."""

    texts: list[str]
    labels: list[str]
    categories: dict[str, str | None]


def _spec() -> dict[str, Any]:
    text = resources.files("poise.data").joinpath("classifier_corpus.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def generate_corpus(per_label: int = 400, seed: int = 1) -> Corpus:
    """Examples generated from the shipped templates (deterministic for a seed)."""
    spec = _spec()
    rng = random.Random(seed)
    slots: dict[str, list[str]] = {k: [str(v) for v in vs] for k, vs in spec["slots"].items()}
    texts: list[str] = []
    labels: list[str] = []
    for label, entry in spec["labels"].items():
        for _ in range(per_label):
            template = rng.choice(entry["templates"])
            texts.append(_SLOT.sub(lambda m: rng.choice(slots[m.group(1)]), template))
            labels.append(label)
    categories = {label: entry.get("category") for label, entry in spec["labels"].items()}
    return Corpus(texts, labels, categories)


class BaselineClassifier:
    """TF-IDF character n-grams + logistic regression over normalised text."""

    def __init__(self, name: str, pipeline: Pipeline, categories: dict[str, str | None]) -> None:
        self.name = name
        self.pipeline = pipeline
        self.labels: tuple[str, ...] = tuple(str(c) for c in pipeline.classes_)
        self.categories = categories

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        if not texts:
            return []
        probabilities = self.pipeline.predict_proba([normalise(t) for t in texts])
        return [dict(zip(self.labels, (float(p) for p in row), strict=True)) for row in probabilities]


def train_baseline(corpus: Corpus | None = None) -> BaselineClassifier:
    """Train the baseline on ``corpus`` (default: the generated corpus)."""
    corpus = corpus or generate_corpus()
    pipeline = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True, max_features=50_000),
        LogisticRegression(max_iter=1000, C=4.0),
    )
    pipeline.fit([normalise(t) for t in corpus.texts], corpus.labels)
    return BaselineClassifier("baseline", pipeline, corpus.categories)


@cache
def default_classifier() -> BaselineClassifier:
    """The process-wide baseline classifier (trained once, on first use)."""
    return train_baseline()


def evaluate(classifier: BaselineClassifier, corpus: Corpus) -> dict[str, dict[str, float]]:
    """Precision, recall and F1 per label on ``corpus`` (use a different seed than training)."""
    scores = classifier.score(corpus.texts)
    predicted = [max(s, key=lambda label: s[label]) for s in scores]
    labels = sorted(set(corpus.labels))
    precision, recall, f1, _ = precision_recall_fscore_support(corpus.labels, predicted, labels=labels,
                                                               zero_division=0)
    return {label: {"precision": float(p), "recall": float(r), "f1": float(f)}
            for label, p, r, f in zip(labels, precision, recall, f1, strict=True)}
