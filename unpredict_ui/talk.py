"""Talk mode (`?talk=1` on the home page, or its toggle): one slide per experiment, sized for a
projector.

Each slide fits a 1280×720 (and 1920×1080) screen without scrolling: Streamlit's toolbar, header
and sidebar are hidden, charts have fixed heights and projector-sized fonts, and long model names
are cut to one line so both halves of a slide line up. ← / → (or the buttons) step through the
slides; the slide is kept in the address (`&slide=rps`), so a reload stays on it. Slides read their
runs from the store (rehearsed with `python -m unpredict_core warm --talk`, see
`unpredict_core.talk_rehearsal`); a slide that is not rehearsed says so and offers to run it.
"""

from __future__ import annotations

import streamlit as st

from unpredict_core.backends.models import DEFAULT_PAIR, ModelPair, get_pair
from unpredict_core.backends.scripted_pairs import ScriptedAwareLoader, scripted_pair
from unpredict_core.errors import UnpredictError
from unpredict_core.runs import BackendLoader, run_experiment
from unpredict_core.talk_rehearsal import SLIDE_KEYS, slide
from unpredict_ui.keys import bind_keys
from unpredict_ui.resources import backends, store
from unpredict_ui.text import plain

QUERY_KEY = "talk"
SLIDE_QUERY = "slide"
PAIR_QUERY = "pair"
DEMO_PAIR = DEFAULT_PAIR  # tests swap in a scripted pair; ?pair=NAME picks another preset
PREVIOUS, NEXT = "◀ Previous", "Next ▶"
STAGE_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stToolbar"],
[data-testid="stHeader"], [data-testid="stDecoration"], [data-testid="stStatusWidget"] {display: none !important;}
[data-testid="stMainBlockContainer"] {padding: 0.8rem 2rem 0 2rem !important; max-width: 100% !important;}
.stMarkdown p, .stMarkdown li, .stButton button p, [data-testid="stCaptionContainer"] p {font-size: 1.35rem !important;}
[data-testid="stCaptionContainer"] p {font-size: 1.05rem !important;}
h1 {font-size: 2.4rem !important; padding: 0.2rem 0 !important;}
h2 {font-size: 2.0rem !important; padding: 0.1rem 0 0.5rem 0 !important;}
h3, h4 {font-size: 1.5rem !important; padding: 0 !important;}
[class*="st-key-talk-oneline"] p {white-space: nowrap; overflow: hidden; text-overflow: ellipsis;}
[data-testid="stVerticalBlock"] {gap: 0.45rem !important;}
</style>
"""


def talk_requested() -> bool:
    return st.query_params.get(QUERY_KEY) == "1"


def talk_toggle() -> None:
    """The home page's switch into talk mode (the same as opening it with ?talk=1)."""
    if st.toggle("Talk mode: slides for a projector", key="talk.toggle"):
        st.query_params[QUERY_KEY] = "1"
        st.rerun()


def talk_pair() -> ModelPair:
    """The pair of the talk: ?pair=NAME (a preset), else the demo pair."""
    name = st.query_params.get(PAIR_QUERY)
    if not name:
        return DEMO_PAIR
    return scripted_pair(name) or get_pair(name)


def demo_loader() -> BackendLoader:
    return ScriptedAwareLoader(backends())


def current_key() -> str:
    key = st.query_params.get(SLIDE_QUERY, SLIDE_KEYS[0])
    return key if key in SLIDE_KEYS else SLIDE_KEYS[0]


def _go(step: int) -> None:
    index = SLIDE_KEYS.index(current_key())
    st.query_params[SLIDE_QUERY] = SLIDE_KEYS[max(0, min(len(SLIDE_KEYS) - 1, index + step))]


def _leave() -> None:
    for name in (QUERY_KEY, SLIDE_QUERY, PAIR_QUERY):
        st.query_params.pop(name, None)
    st.session_state["talk.toggle"] = False


def _navigation(key: str) -> None:
    index = SLIDE_KEYS.index(key)
    back, where, forward, leave = st.columns([2, 5, 2, 2], vertical_alignment="center")
    back.button(PREVIOUS, key="talk.prev", on_click=_go, args=(-1,), disabled=index == 0, width="stretch")
    where.caption(f"Slide {index + 1} of {len(SLIDE_KEYS)} · ← → to step · measured here, on this machine")
    forward.button(NEXT, key="talk.next", on_click=_go, args=(1,), disabled=index == len(SLIDE_KEYS) - 1,
                   type="primary", width="stretch")  # fmt: skip
    leave.button("Leave talk mode", key="talk.leave", on_click=_leave, width="stretch")
    bind_keys({"ArrowRight": NEXT, "PageDown": NEXT, " ": NEXT, "ArrowLeft": PREVIOUS, "PageUp": PREVIOUS})


def run_slide(key: str, pair: ModelPair, progress) -> None:
    """Run what one slide needs now (the rehearsal would have stored it)."""
    plan = slide(key).runs("auto")
    for index, (experiment, params) in enumerate(plan):
        run_experiment(
            experiment, pair, params, store=store(), load=demo_loader(),
            progress=lambda f, m, i=index: progress((i + f) / len(plan), m),
        )  # fmt: skip


def missing_slide(key: str, pair: ModelPair) -> None:
    """What a slide shows when its runs are not in the store."""
    st.info(
        f"This slide is not rehearsed for the pair {plain(pair.name)}. Before the talk, run "
        f"`python -m unpredict_core warm --talk --pair {plain(pair.name)}` (every slide, stored for the talk)."
    )
    if st.button("▶  Run it now", key=f"talk.run.{key}"):
        bar = st.progress(0.0, text="Starting…")
        try:
            run_slide(key, pair, lambda f, m: bar.progress(min(1.0, max(0.0, f)), text=m))
        except UnpredictError as exc:
            st.error(plain(exc))
            return
        finally:
            bar.empty()
        st.rerun()


def render_talk() -> None:
    from unpredict_ui.talk_slides import show_slide

    st.markdown(STAGE_CSS, unsafe_allow_html=True)
    key = current_key()
    st.query_params[SLIDE_QUERY] = key
    try:
        pair = talk_pair()
    except UnpredictError as exc:
        st.error(plain(exc))
        return
    _navigation(key)
    st.header(slide(key).title)
    show_slide(key, pair)
