"""How a random-integers result is shown: both sides next to each other, then one statistics table.

Every number here comes from `run_experiment`, i.e. it was measured on this machine; the section
header says so. `statistics_frame` is a pure function so tests can check it without Streamlit.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from unpredict_core.experiments import random_integers
from unpredict_core.experiments.random_integers.metrics import repetition_summary
from unpredict_core.runs import ROLES
from unpredict_ui.random_integers.charts import ANSWERS, UNIFORM, distribution_figure, repetition_figure, shared_y_max
from unpredict_ui.running import timing_text
from unpredict_ui.text import plain
from unpredict_ui.views import shows

PAPER_N = 1500
MAX_ENTROPY = math.log2(len(ANSWERS))
MODE_TITLES = {
    "exact": "exact distribution from the logits (no sampling)",
    "sampled": "sampled answers (temperature 1, top-p 1)",
    "sequences": "sampled sequences of ten",
}
COVERAGE_HELP = {
    "exact": "Share of the model's probability that lands on a clean answer 0–10 "
    "The chart renormalises over these answers; a low coverage means the model mostly says "
    "something else first.",
    "sampled": "Share of sampled continuations that parsed as a clean integer 0–10.",
    "sequences": "Share of sampled continuations that parsed as ten integers 0–10.",
}


# -- formatting -------------------------------------------------------------------------------------
def _pct(x: float) -> str:
    return f"{x:.1%}" if x >= 0.001 or x == 0 else f"{x:.2e}"


def _p_value(x: float) -> str:
    if x == 0:
        return "< 1e-300"
    return f"{x:.1e}" if x < 1e-4 else f"{x:.4f}"


FORMATS = {
    "pct": _pct,
    "p": _p_value,
    "chi2": lambda x: f"{x:,.1f}",
    "num": lambda x: f"{x:.3f}",
    "count": lambda x: f"{int(x):,}",
}


def _cell(kind: str, value: float | None, interval=None) -> str:
    if value is None:
        return "—"
    text = FORMATS[kind](value)
    if interval:
        text += f"  [{FORMATS[kind](interval[0])} – {FORMATS[kind](interval[1])}]"
    return text


# -- statistics table -------------------------------------------------------------------------------
def _rows(side: dict, mode: str) -> list[tuple[str, str, float | None, object, float | None]]:
    """(statistic, kind, value, interval, reference value) for one side."""
    m, iv = side["metrics"], side.get("intervals", {})
    counts = (
        []
        if mode == "exact"
        else [
            (
                "Valid sequences" if mode == "sequences" else "Valid answers",
                "count",
                len(side["sequences"]) if mode == "sequences" else sum(side["counts"].values()),
                None,
                None,
            ),
            ("Invalid (parse failures)", "count", side["invalid"], None, None),
            ("Attempts", "count", side["attempts"], None, None),
        ]
    )
    rows = [*counts, ("Coverage", "pct", side["coverage"], None, None)]
    if mode == "sequences":
        iid, seen = repetition_summary(side["iid_repetitions"]), repetition_summary(side["repetitions"])
        return rows + [
            ("Most common repetition count", "count", m["repetition_mode"], None, iid["mode"]),
            ("Mean repetitions per sequence", "num", m["mean_repetitions"], None, iid["mean"]),
            ("Sequences without a repeat", "pct", seen["no_repeat"], None, iid["no_repeat"]),
            (
                f"χ² of all values pooled vs uniform, n = {m.get('chi2_n', 10 * len(side['sequences'])):,} "
                "values (df = 10)",
                "chi2",
                m["chi2_values"],
                None,
                None,
            ),
            ("P(7) among all values", "pct", side["answers"]["7"], None, UNIFORM),
        ]
    if mode == "exact":
        rows += [
            ("χ² vs uniform at n = 1,500 (df = 10)", "chi2", m["chi2_n1500"], iv.get("chi2_n1500"), 0.0),
            ("p-value of that χ²", "p", m["p_value"], None, 1.0),
        ]
    else:
        rows += [
            (f"χ² vs uniform at its own n = {_n_of(side):,} (df = 10)", "chi2", m["chi2"], None, 0.0),
            ("p-value of that χ²", "p", m["p_value"], None, 1.0),
            ("χ² scaled to n = 1,500 (same proportions)", "chi2", m["chi2_n1500"], iv.get("chi2_n1500"), 0.0),
        ]
    return rows + [
        ("KL divergence to uniform (bits)", "num", m["kl"], iv.get("kl"), 0.0),
        ("Total-variation distance to uniform", "num", m["tv"], iv.get("tv"), 0.0),
        (
            f"Entropy (bits; uniform = log₂ 11 = {MAX_ENTROPY:.3f})",
            "num",
            m["entropy_bits"],
            iv.get("entropy_bits"),
            MAX_ENTROPY,
        ),
        ("P(7)", "pct", m["p7"], iv.get("p7"), UNIFORM),
    ]


def _n_of(side: dict) -> int:
    return int(side["metrics"].get("chi2_n") or sum(side["counts"].values()))


def statistics_frame(result: dict) -> pd.DataFrame:
    mode = result["params"]["mode"]
    per_side = {role: _rows(result["sides"][role], mode) for role in ROLES}
    reference = "i.i.d. uniform (exact)" if mode == "sequences" else "Uniform (reference)"
    table = []
    for index, (name, kind, _, _, ref) in enumerate(per_side["base"]):
        row = {"Statistic": name}
        for role in ROLES:
            _, _, value, interval, _ = per_side[role][index]
            row[role.title()] = _cell(kind, value, interval)
        row[reference] = _cell(kind, ref)
        table.append(row)
    return pd.DataFrame(table)


def interval_note(result: dict) -> str:
    mode = result["params"]["mode"]
    if mode == "exact":
        return (
            "Brackets: the 95 % range that a replication with 1,500 sampled answers would show "
            "(multinomial bootstrap from the exact distribution). The exact values themselves have "
            "no sampling error. χ² is computed for a sample of 1,500 in exactly these proportions, "
            "the paper's sample size."
        )
    if mode == "sampled":
        methods = next((s.get("interval_methods") for s in result["sides"].values() if s.get("interval_methods")), None)
        if methods is None:  # stored before the intervals changed
            return "Brackets: 95 % bootstrap confidence intervals from the valid answers sampled here."
        return (
            f"Brackets: 95 % intervals. P(7) and each answer's bar: {methods['answers']}, which cannot "
            f"shrink to a point at small n. χ² at 1,500, KL, TV and entropy: {methods['summaries']}; at "
            "small n the prior pulls it towards uniform, so the observed value may lie outside it. χ² "
            "is shown at its own n; scaled to 1,500 it is only comparable with an exact run's."
        )
    return "Reference column: the exact distribution of repetitions for ten i.i.d. uniform draws from 0–10."


# -- page sections ----------------------------------------------------------------------------------
def _short(label: str) -> str:
    return plain(label.split(" (")[0])


def _header(result: dict) -> None:
    sides = result["sides"]
    st.subheader(f"Measured here on {_short(sides['base']['model'])} vs {_short(sides['aligned']['model'])}")
    st.caption(
        f"Pair “{plain(result['pair'])}” · {MODE_TITLES[result['params']['mode']]} · run {result['run_id']}. "
        "Every number in this section was measured on this machine: none is reported by the paper "
        "or reconstructed."
    )
    if result.get("pair_note"):
        st.caption(plain(result["pair_note"]))
    (st.info if result.get("cached") else st.success)(timing_text(result))


def _side(role: str, side: dict, mode: str, y_max: dict[str, float]) -> None:
    st.markdown(f"##### {role.title()} · {plain(side['model'])}")
    st.metric("Coverage", _pct(side["coverage"]), border=True)
    st.caption(COVERAGE_HELP[mode])
    if mode == "sequences":
        st.plotly_chart(repetition_figure(side, "Repetitions per sequence", y_max["reps"]), key=f"reps.{role}")
        title = "All values in the sequences"
    else:
        title = "Exact P(answer), renormalised" if mode == "exact" else "Sampled answers"
    st.plotly_chart(distribution_figure(side, title, y_max["answers"]), key=f"answers.{role}")
    if mode != "exact":
        valid = len(side["sequences"]) if mode == "sequences" else sum(side["counts"].values())
        st.markdown(f"**{valid:,}** valid · **{side['invalid']:,}** invalid · **{side['attempts']:,}** attempts")
        if side["invalid_examples"]:
            with st.expander(f"Invalid examples ({len(side['invalid_examples'])} shown)"):
                st.code("\n".join(repr(text) for text in side["invalid_examples"]), language=None)
    st.markdown(f"**Prompt sent** (format: `{side['format']}`)")
    if side.get("format_note"):
        st.warning(plain(side["format_note"]))
    st.code(side["prompt"], language=None, wrap_lines=True)


def _y_max(result: dict) -> dict[str, float]:
    sides = [result["sides"][role] for role in ROLES]
    highs = [high for side in sides for _, high in (side.get("answer_intervals") or {}).values()]
    answers = shared_y_max([p for side in sides for p in side["answers"].values()] + highs)
    if result["params"]["mode"] != "sequences":
        return {"answers": answers}
    reps = [c / max(sum(s["repetitions"]), 1) for s in sides for c in s["repetitions"]]
    return {"answers": answers, "reps": shared_y_max(reps + sides[0]["iid_repetitions"])}


@shows(random_integers.NAME)
def show_random_integers(result: dict) -> None:
    mode = result["params"]["mode"]
    _header(result)
    y_max = _y_max(result)
    for column, role in zip(st.columns(2, gap="large"), ROLES, strict=True):
        with column:
            _side(role, result["sides"][role], mode, y_max)
    st.subheader("Statistics")
    frame = statistics_frame(result)
    st.dataframe(frame, hide_index=True, width="stretch", height=35 * (len(frame) + 1) + 3)  # no scrolling
    st.caption(interval_note(result))
