"""Random integers 0–10: single draws (exact or sampled) and sequences of ten.

Each function takes one side's backend and prompt and returns that side's JSON-ready result;
`runs.run_experiment` does the pairing, caching and storing.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

import numpy as np

from unpredict_core.backends.base import (
    ModelBackend,
    PromptFormat,
    RenderedPrompt,
    SampleSettings,
    answer_decided,
    parse_choice,
)
from unpredict_core.errors import InvalidParameter
from unpredict_core.experiments import Experiment, Score
from unpredict_core.experiments.random_integers.figure_score import chi2_value
from unpredict_core.experiments.random_integers.metrics import (
    ANSWER_INTERVAL_METHOD,
    PAPER_N,
    POSTERIOR_INTERVAL_METHOD,
    answer_intervals,
    bootstrap_intervals,
    chi2_at_n,
    chi2_counts,
    chi2_pvalue,
    dirichlet_intervals,
    distribution_metrics,
    iid_repetition_distribution,
    repetition_histogram,
)
from unpredict_core.params import check_declared, param, seed_param
from unpredict_core.progress import ProgressFn, no_progress, rate_and_estimate
from unpredict_core.records import SideOutcome

NAME = "random-integers"
VERSION = "3"  # bump when a change alters results, so old cache entries are not reused
ANSWERS = tuple(str(i) for i in range(11))
SEQUENCE_LENGTH = 10
MAX_N = 100_000
Mode = Literal["exact", "sampled", "sequences"]
# a prefix character, up to two digits and one terminator: at most 4 tokens; a row stops as soon
# as its answer is decided (answer_decided), which changes no result, only the cost
SINGLE_SAMPLING = SampleSettings(max_new_tokens=4, decided=lambda text: answer_decided(text, ANSWERS))

REQUESTS = {
    "single": {
        "plain": "Generate a random integer between 0 and 10 (inclusive). Number:",
        "chat": "Generate a random integer between 0 and 10 (inclusive). Reply with the number only.",
    },
    "sequences": {
        "plain": "Generate a sequence of 10 random integers between 0 and 10 (inclusive), "
        "separated by commas. Sequence:",
        "chat": "Generate a sequence of 10 random integers between 0 and 10 (inclusive), "
        "separated by commas. Reply with the sequence only.",
    },
}


@dataclass(frozen=True)
class Params:
    mode: Mode = param("exact", choices=("exact", "sampled", "sequences"), help="exact, sampled or sequences")
    n: int = param(PAPER_N, min=1, max=MAX_N, unit=" valid answers", help="valid answers to sample")
    seed: int = seed_param()
    max_attempts: int = param(0, min=0, max=20 * MAX_N, help="cap on samples drawn (0: 20·n)")

    def validate(self) -> Params:
        check_declared(self)
        return self

    @property
    def attempt_cap(self) -> int:
        return self.max_attempts or 20 * self.n

    def as_dict(self) -> dict:
        data = {"mode": self.mode, "seed": self.seed}
        if self.mode != "exact":
            data |= {"n": self.n, "max_attempts": self.attempt_cap}
        return data


def default_request(params: Params, fmt: str) -> str:
    return REQUESTS["sequences" if params.mode == "sequences" else "single"][fmt]


class Draws(TypedDict, total=False):
    """What a mode reports: exact (answers, coverage, metrics, intervals, raw), sampled (with
    counts, invalid, attempts, invalid_examples) or sequences (with sequences, repetitions,
    iid_repetitions)."""

    answers: dict[str, float]  # each integer's probability (exact) or share of valid draws
    coverage: float
    metrics: dict[str, float]
    intervals: dict[str, Any]
    raw: dict[str, float]  # exact: probabilities before renormalising
    counts: dict[str, int]
    invalid: int
    attempts: int
    invalid_examples: list[str]
    sequences: list[list[int]]
    repetitions: list[float]
    iid_repetitions: list[float]
    answer_intervals: dict[str, tuple[float, float]]  # sampled: Clopper-Pearson per answer
    interval_methods: dict[str, str]  # sampled: how "answers" and "summaries" intervals were made
    stopped_short: dict[str, int]  # the attempt cap ended sampling before n: valid, asked, attempts, cap


class RandomIntegersSide(SideOutcome, Draws):
    pass


def _summary(probs: np.ndarray, n_for_intervals: int, seed: int) -> tuple[dict, dict]:
    fns = distribution_metrics(ANSWERS)
    metrics = {name: float(fn(probs)) for name, fn in fns.items()}
    intervals = bootstrap_intervals(probs, n_for_intervals, fns, seed=seed) if n_for_intervals else {}
    return metrics, intervals


def run_exact(
    backend: ModelBackend, prompt: RenderedPrompt, params: Params, progress: ProgressFn = no_progress
) -> Draws:
    progress(0.1, f"{backend.label}: scoring 0–10 exactly")
    scores = backend.score_choices(prompt, ANSWERS)
    if scores.coverage <= 0.0:
        raise InvalidParameter(f"{backend.label} puts no probability on any integer 0–10 for this prompt.")
    answers = scores.normalised()
    probs = np.array([answers[a] for a in ANSWERS])
    metrics, intervals = _summary(probs, PAPER_N, params.seed)
    metrics["chi2"] = float(chi2_at_n(probs, PAPER_N))
    metrics["p_value"] = float(chi2_pvalue(metrics["chi2"], len(ANSWERS)))
    metrics["chi2_n"] = PAPER_N  # the exact distribution scaled to the paper's sample size
    progress(1.0, f"{backend.label}: done")
    return {
        "answers": answers,
        "coverage": scores.coverage,
        "metrics": metrics,
        "intervals": intervals,
        "raw": scores.raw,
    }


def run_sampled(
    backend: ModelBackend, prompt: RenderedPrompt, params: Params, progress: ProgressFn = no_progress
) -> Draws:
    settings = SINGLE_SAMPLING
    counts, invalid, attempts, examples = _sample_until(
        backend, prompt, params, settings, lambda text: parse_choice(text, ANSWERS), progress
    )
    total = sum(counts.values())
    if total == 0:
        raise InvalidParameter(f"{backend.label} gave no valid integer in {attempts} attempts.")
    observed = np.array([counts.get(a, 0) for a in ANSWERS], dtype=float)
    metrics, _ = _summary(observed / total, 0, params.seed)
    chi2, p_value = chi2_counts(observed)
    metrics |= {"chi2": float(chi2), "p_value": float(p_value), "chi2_n": total}
    by_answer = answer_intervals({a: counts.get(a, 0) for a in ANSWERS})
    # at small n a bootstrap of the counts collapses (ten 7s resample to ten 7s): a posterior
    # for the summaries and an exact binomial interval for each answer cannot
    intervals = dirichlet_intervals(observed, distribution_metrics(ANSWERS), seed=params.seed)
    intervals["p7"] = by_answer["7"]
    draws: Draws = {
        "answers": {a: counts.get(a, 0) / total for a in ANSWERS},
        "counts": {a: counts.get(a, 0) for a in ANSWERS},
        "coverage": total / attempts,
        "invalid": invalid,
        "attempts": attempts,
        "invalid_examples": examples,
        "metrics": metrics,
        "intervals": intervals,
        "answer_intervals": by_answer,
        "interval_methods": {"answers": ANSWER_INTERVAL_METHOD, "summaries": POSTERIOR_INTERVAL_METHOD},
    }
    return mark_short(draws, total, attempts, params)


def mark_short(draws: Draws, valid: int, attempts: int, params: Params) -> Draws:
    """`draws` with `stopped_short` when the attempt cap ended sampling before n valid answers, so
    the page can say the run holds fewer than were asked for."""
    if valid < params.n:
        draws["stopped_short"] = {"valid": valid, "asked": params.n, "attempts": attempts, "cap": params.attempt_cap}
    return draws


def parse_sequence(text: str) -> tuple[int, ...] | None:
    """Ten integers in 0..10 separated by commas/whitespace at the start of the text, else None."""
    tokens = text.replace(",", " ").replace("[", " ").replace("]", " ").split()
    values: list[int] = []
    for token in tokens:
        token = token.strip(".;")
        if not token.isdigit() or not 0 <= int(token) <= 10:
            break
        values.append(int(token))
        if len(values) == SEQUENCE_LENGTH:
            return tuple(values)
    return None


def run_sequences(
    backend: ModelBackend, prompt: RenderedPrompt, params: Params, progress: ProgressFn = no_progress
) -> Draws:
    settings = SampleSettings(max_new_tokens=40, stop=("\n\n",))  # ten numbers fit in 40 tokens
    counts, invalid, attempts, examples = _sample_until(backend, prompt, params, settings, parse_sequence, progress)
    sequences = [list(seq) for seq, k in counts.items() for _ in range(k)]
    if not sequences:
        raise InvalidParameter(f"{backend.label} gave no valid sequence of ten in {attempts} attempts.")
    histogram = repetition_histogram(sequences, SEQUENCE_LENGTH)
    flat = Counter(v for seq in sequences for v in seq)
    values = np.array([flat.get(i, 0) for i in range(11)], dtype=float)
    draws: Draws = {
        "sequences": sequences,
        "repetitions": histogram.tolist(),
        "iid_repetitions": iid_repetition_distribution(11, SEQUENCE_LENGTH).tolist(),
        "answers": {str(i): values[i] / values.sum() for i in range(11)},
        "coverage": len(sequences) / attempts,
        "invalid": invalid,
        "attempts": attempts,
        "invalid_examples": examples,
        "metrics": {
            "repetition_mode": int(np.argmax(histogram)),
            "mean_repetitions": float(np.dot(np.arange(SEQUENCE_LENGTH), histogram) / histogram.sum()),
            "chi2_values": float(chi2_counts(values)[0]),
            "chi2_n": int(values.sum()),  # every value of every sequence, pooled
        },
    }
    return mark_short(draws, len(sequences), attempts, params)


def _sample_until(backend, prompt, params: Params, settings, parse, progress: ProgressFn):
    """Sample in rounds until n valid answers or the attempt cap; count and keep parse failures.
    Progress says attempts, valid so far, the pace and an estimate, also inside a long round."""
    counts: Counter = Counter()
    invalid, attempts, round_index = 0, 0, 0
    examples: list[str] = []
    started = time.monotonic()

    def report(drawn: int) -> None:
        valid = sum(counts.values())
        tried = attempts + drawn
        pace = rate_and_estimate(tried, _expected_attempts(valid, tried, params), time.monotonic() - started)
        fraction = max(valid / params.n, tried / params.attempt_cap * 0.999)
        progress(
            min(1.0, fraction),
            f"{backend.label}: {valid:,}/{params.n:,} valid · {tried:,} attempts (cap {params.attempt_cap:,}) · {pace}",
        )

    while sum(counts.values()) < params.n and attempts < params.attempt_cap:
        missing = params.n - sum(counts.values())
        rate = sum(counts.values()) / attempts if attempts else 1.0
        size = min(params.attempt_cap - attempts, max(missing, int(missing / max(rate, 0.02) * 1.1)))
        texts = backend.sample(
            prompt,
            size,
            seed=params.seed * 1_000 + round_index,
            settings=settings,
            progress=lambda fraction, _message, size=size: report(round(fraction * size)),
        )
        round_index += 1
        for text in texts:
            if sum(counts.values()) >= params.n:
                break  # later draws are not attempts: coverage = valid / attempts stays unbiased
            attempts += 1
            value = parse(text)
            if value is None:
                invalid += 1
                if len(examples) < 10:
                    examples.append(text)
            else:
                counts[value] += 1
        report(0)
    return counts, invalid, attempts, examples


def _expected_attempts(valid: int, tried: int, params: Params) -> int:
    """How many attempts the run will take at the valid rate seen so far (at most the cap)."""
    if valid == 0 or tried == 0:
        return params.attempt_cap
    return min(params.attempt_cap, round(params.n * tried / valid))


RUNNERS = {"exact": run_exact, "sampled": run_sampled, "sequences": run_sequences}


def run_side(
    backend: ModelBackend, fmt: PromptFormat, request: str, params: Params, progress: ProgressFn = no_progress
) -> RandomIntegersSide:
    prompt = backend.render(request, fmt)
    draws = RUNNERS[params.mode](backend, prompt, params, progress)
    return {"format": prompt.format, "format_note": prompt.note, "prompt": prompt.text, **draws}


def single_draws(params: dict) -> bool:
    """Runs of single draws (exact or sampled): a sequence run's numbers are not one draw's."""
    return params.get("mode") != "sequences"


EXPERIMENT = Experiment(
    name=NAME,
    version=VERSION,
    title="Random integers",
    params=Params,
    default_request=default_request,
    run_side=run_side,
    scores=(
        # every run's χ² on the paper's n = 1,500 scale: exact where the run is exact, debiased where it
        # sampled (a small sample's χ² scaled up carries its noise scaled up too); never averaged together
        Score(
            "chi2",
            "χ² against uniform at n = 1,500 (random integers)",
            "chi2_n1500",
            paper=("random_integers", "chi2_vs_uniform"),
            note="Exact runs where a side has one; else sampled runs, debiased. The paper's χ² is from 1,500 samples.",
            applies=single_draws,
            value=chi2_value,
        ),
        Score("kl", "KL to uniform, bits (random integers)", "kl", applies=single_draws),
        Score("p7", "P(7) (random integers)", "p7", applies=single_draws),
    ),
    typical_seconds=10.0,
    order=10,
)
