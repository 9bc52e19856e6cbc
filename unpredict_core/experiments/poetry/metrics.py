"""Pure analysis of the poetry experiment: human votes, and automatic proxies.

Votes are what the paper measured: blind pairwise judgements of a base and an aligned poem on
the same topic. Each vote answers three questions; a vote row says which side's poem won one
criterion. The proxies (distinct-n, n-gram overlap, embedding diversity) are cheap automatic
stand-ins for originality and are always labelled as proxies, never as the human result.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from itertools import combinations
from typing import Any

import numpy as np
from scipy import stats

CRITERIA = ("originality", "pleasantness", "preference")
QUESTIONS = {
    "originality": "Which poem is more original?",
    "pleasantness": "Which poem is more pleasant?",
    "preference": "Which poem do you prefer?",
}
# Spearman ρ of each criterion with preference over the paper's 720 judgements, as reported by
# secondary summaries of the paper (../shared/reference/paper_reported.csv). Never measured here.
PAPER_RHO = {"originality": -0.08, "pleasantness": 0.34}
PAPER_FINDING = "base poems won on originality; aligned poems won on pleasantness and overall preference"


# -- automatic proxies ------------------------------------------------------------------------------
def words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.lower())


def ngrams(tokens: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def distinct_n(texts: Iterable[str], n: int) -> float | None:
    """Distinct n-grams over all n-grams of the texts pooled (Li et al. 2016); None if none."""
    pooled = [g for text in texts for g in ngrams(words(text), n)]
    return len(set(pooled)) / len(pooled) if pooled else None


def ngram_overlap(a: str, b: str, n: int = 2) -> float | None:
    """Jaccard overlap of two texts' word n-gram sets; None when neither has an n-gram."""
    sa, sb = set(ngrams(words(a), n)), set(ngrams(words(b), n))
    return len(sa & sb) / len(sa | sb) if sa | sb else None


def comparison_pairs(topics: Sequence[str]) -> tuple[list[tuple[int, int]], str]:
    """Which poems of one side to compare: those on the same topic (does the model write the same
    poem twice?), or all pairs when every topic has a single poem."""
    same = [(i, j) for i, j in combinations(range(len(topics)), 2) if topics[i] == topics[j]]
    if same:
        return same, "same topic"
    return list(combinations(range(len(topics)), 2)), "all pairs"


def mean_overlap(texts: Sequence[str], topics: Sequence[str], n: int = 2) -> float | None:
    pairs, _ = comparison_pairs(topics)
    values = [v for i, j in pairs if (v := ngram_overlap(texts[i], texts[j], n)) is not None]
    return float(np.mean(values)) if values else None


def embedding_diversity(vectors: np.ndarray, topics: Sequence[str]) -> float | None:
    """Mean cosine distance (1 − cos) between the compared poems' unit embeddings."""
    pairs, _ = comparison_pairs(topics)
    if not pairs:
        return None
    # clipped at 0: identical poems give 1 − cos ≈ −1e-8 in float32
    return max(0.0, float(np.mean([1.0 - float(np.dot(vectors[i], vectors[j])) for i, j in pairs])))


def text_proxies(texts: Sequence[str], topics: Sequence[str]) -> dict:
    """The proxies that need no model, for one side's non-empty poems."""
    return {
        "distinct_1": distinct_n(texts, 1),
        "distinct_2": distinct_n(texts, 2),
        "overlap_2": mean_overlap(texts, topics, 2),
        "pairs": comparison_pairs(topics)[1],
    }


# -- human votes ------------------------------------------------------------------------------------
def complete_votes(rows: Iterable[dict], include_repeats: bool = True) -> dict[str, dict[str, str]]:
    """vote_id → {criterion: winning side}, for votes that answer all three criteria."""
    votes: dict[str, dict[str, str]] = {}
    for row in rows:
        if include_repeats or not row.get("repeat"):
            votes.setdefault(row["vote_id"], {})[row["criterion"]] = row["chosen_side"]
    return {vote_id: v for vote_id, v in votes.items() if set(v) >= set(CRITERIA)}


def win_rates(votes: dict[str, dict[str, str]], confidence: float = 0.95) -> dict[str, dict]:
    """Per criterion: how often the base poem won among the decisive votes (a "tie / both bad"
    answer is counted apart, in `ties`, and left out of the rate), with an exact (Clopper-Pearson)
    binomial interval and the two-sided p-value against 50 %."""
    rates: dict[str, dict[str, Any]] = {}
    for criterion in CRITERIA:
        ties = sum(v[criterion] == "tie" for v in votes.values())
        n = len(votes) - ties
        k = sum(v[criterion] == "base" for v in votes.values())
        if n == 0:
            rates[criterion] = {"base_wins": 0, "votes": 0, "ties": ties, "rate": None, "ci_low": None, "ci_high": None}
            continue
        test = stats.binomtest(k, n, 0.5)
        ci = test.proportion_ci(confidence_level=confidence, method="exact")
        rates[criterion] = {
            "base_wins": k,
            "votes": n,
            "ties": ties,
            "rate": k / n,
            "ci_low": float(ci.low),
            "ci_high": float(ci.high),
            "p_value": float(test.pvalue),
        }
    return rates


def spearman_with_preference(votes: dict[str, dict[str, str]]) -> dict[str, dict]:
    """Spearman ρ between each of originality and pleasantness and preference, over votes.

    Each vote is coded 1 when the base poem won the criterion, ½ for a tie and 0 otherwise, so ρ > 0 means
    the poem judged more original (or pleasant) tends to be the preferred one. ρ is undefined
    (None, with the reason) for fewer than 3 votes or when a criterion never varies.
    """
    out: dict[str, dict[str, Any]] = {}
    code = {"base": 1.0, "tie": 0.5}
    preference = [code.get(v["preference"], 0.0) for v in votes.values()]
    for criterion in ("originality", "pleasantness"):
        other = [code.get(v[criterion], 0.0) for v in votes.values()]
        if len(other) < 3:
            out[criterion] = {"rho": None, "p_value": None, "n": len(other), "reason": "fewer than 3 votes"}
        elif len(set(other)) < 2 or len(set(preference)) < 2:
            reason = "every vote gave the same answer to one of the two questions"
            out[criterion] = {"rho": None, "p_value": None, "n": len(other), "reason": reason}
        else:
            rho, p = stats.spearmanr(np.array(other, float), np.array(preference, float))
            out[criterion] = {"rho": float(rho), "p_value": None if math.isnan(p) else float(p), "n": len(other)}
    return out
