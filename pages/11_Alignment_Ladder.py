"""The alignment ladder: the default base trained here into SFT and DPO stages, and the family view
(every stage of a family on one chart per score, the ladder beside the paper's Llama families)."""

import pandas as pd
import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_core.ladder.listing import BUILD_HINT, default_folders, read_ladder
from unpredict_core.results.family_view import family_view
from unpredict_core.results.scatter import load_paper_points, y_scores
from unpredict_ui.ladder import build_section, family_figure, status_table
from unpredict_ui.resources import store
from unpredict_ui.sidebar import pick_pair
from unpredict_ui.state import kept_key
from unpredict_ui.text import plain

PAGE = "ladder"
st.set_page_config(page_title="Alignment ladder · unpredict", page_icon="🪜", layout="wide")
pick_pair()
st.title("Alignment ladder: one family, stage by stage")
st.markdown(
    "The paper's claim is causal: post-training takes the randomness away, stage by stage. No registry "
    "offers a same-family twin of the default base, so the ladder **makes the stages here**: the base "
    "(google/gemma-3-270m) fine-tuned on verifiable instructions (**SFT**), then trained on pass/fail "
    "preference pairs from the SFT stage (**DPO**), with TRL and LoRA. The recipe was chosen by held-out "
    "instruction following alone. Run any experiment on the pairs **ladder-sft** and **ladder-dpo** (sidebar) "
    "and their scores appear below, **measured here**, beside the paper's **reported** families. "
    "README (the alignment ladder) has the recipe, the data and their licence, and what a 270M model can claim."
)

try:
    entry = read_ladder(default_folders())
except UnpredictError as exc:
    st.error(plain(exc))
    st.stop()
if entry.get("problem"):
    st.error(plain(entry["problem"]))
built = all(stage["status"] == "built" for stage in entry["stages"])
st.subheader("The stages built here")
if any(stage["status"] != "missing" for stage in entry["stages"]) or "heldout_base" in entry:
    st.dataframe(pd.DataFrame(status_table(entry)), hide_index=True, width="stretch")
    st.caption(
        "Held-out strict: the share of held-out prompts (generated here, never trained on) whose every "
        "instruction passes IFEval's strict checker, greedy replies in the stage's chat template, with the "
        "Clopper-Pearson 95 % interval; the gain over the base is Newcombe's paired interval."
    )
if not built:
    st.info(f"Not every stage is built here yet: {BUILD_HINT}, or press the button.")
build_section()

st.subheader("Family view")
scores = {k: s for k, s in y_scores().items() if s.paper}
y_key = st.selectbox("Score", list(scores), format_func=lambda k: scores[k].label, key=kept_key(PAGE, "y"))
try:
    results = store().query_runs(experiments=[scores[y_key].experiment])
except UnpredictError as exc:
    st.error(plain(exc))
    st.stop()
view = family_view(results, y_key, load_paper_points())
st.plotly_chart(family_figure(view), width="stretch", key=f"{PAGE}.family")
if not any(f["provenance"] == "measured here" for f in view["families"]):
    st.info(
        "No stored run of this experiment on ladder-sft or ladder-dpo yet: pick one of them in the sidebar and "
        "run the experiment's page; the ladder's stages then appear here with their intervals."
    )
st.caption(
    "Filled markers with intervals: measured here. Hollow markers: reported by the paper (no intervals "
    "published). The paper's Tulu line is Base → Tulu-SFT → Tulu-DPO → Tulu-Full; Meta's Instruct is a "
    "branch from the same base (dashed)."
)
