"""Home page of the dashboard: the paper in a few lines, the picked pair, links to every page."""

import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_ui.resources import store
from unpredict_ui.sidebar import pick_pair
from unpredict_ui.talk import render_talk, talk_requested, talk_toggle
from unpredict_ui.text import plain

st.set_page_config(page_title="unpredict", page_icon="🎲", layout="wide")
if talk_requested():  # ?talk=1: large type and the one-click demo, nothing else
    render_talk()
    st.stop()
choice = pick_pair()

st.title("unpredict: are base models better at being unpredictable?")
talk_toggle()
st.markdown(
    """
West & Potts, *Base Models Beat Aligned Models at Randomness and Creativity*
(arXiv 2505.00047, COLM 2025) compared Llama-3.1 base models with their aligned versions
(Meta's Instruct and the Tulu-3 SFT, DPO and RLVR stages) on tasks that reward unpredictability:
drawing random numbers, rock-paper-scissors and hide-and-seek against an adversary, and writing
original poems. Aligned models over-produced 7 and avoided repeats, became predictable in games,
and wrote poems that raters found pleasant rather than original. Better benchmark scores went with
worse unpredictability.

This dashboard reruns such experiments on a base/aligned pair of your choice, on this machine.
"""
)

st.subheader("The pair you picked")
if choice.pair is None or choice.problem:
    st.error(choice.problem)
else:
    for role in ("base", "aligned"):
        spec = choice.pair.side(role)
        st.markdown(f"- **{role.title()}:** {plain(spec.label)} · prompt format `{choice.formats[role]}`")
    if choice.pair.note:
        st.info(plain(choice.pair.note))

LINKS = {
    "Experiments": [
        ("pages/1_Random_Numbers.py", "Random numbers: answer distributions over 0–10", "casino"),
        ("pages/2_Rock_Paper_Scissors.py", "Rock-paper-scissors: against adversaries, or play it yourself",
         "sports_esports"),
        ("pages/3_Hide_and_Seek.py", "Hide-and-seek: a seeker that reads the model's hiding spots", "search"),
        ("pages/7_RPS_Tournament.py", "RPS tournament: both models against the RoShamBo competition's bots",
         "trophy"),
        ("pages/4_Poetry.py", "Poetry: both models write poems; rate them blind; originality vs pleasantness",
         "edit_note"),
        ("pages/10_IFEval.py", "IFEval: the leaderboard's benchmark measured here, Figure 1's x", "straighten"),
        ("pages/8_IFBench.py", "IFBench: newer instructions, measured here", "checklist"),
    ],
    "Results": [
        ("pages/5_Results.py", "Results: browse, compare, export and delete stored runs", "table"),
        ("pages/6_Benchmark_vs_Unpredictability.py",
         "Benchmark vs unpredictability: the paper's trade-off, measured here", "scatter_plot"),
    ],
}  # fmt: skip
for section, links in LINKS.items():
    st.subheader(section)
    for page, label, icon in links:
        st.page_link(page, label=label, icon=f":material/{icon}:")

st.subheader("How to read the numbers")
st.markdown(
    """
- **Measured here**: every result is computed on this machine from the models you picked and is
  labelled so; nothing on these pages is copied from the paper.
- **Exact** answer distributions come from the models' logits, not from sampling. **Coverage** is
  the share of a model's probability that lands on a clean valid answer; small instruct models
  often put most of it elsewhere, so it is always shown.
- Results are cached: the same models, prompts and parameters are answered at once.
"""
)
try:
    st.caption(f"{store().count_runs():,} runs stored in {plain(store().path)}.")
except UnpredictError as exc:
    st.error(plain(exc))
