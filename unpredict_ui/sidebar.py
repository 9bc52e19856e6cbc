"""The model-pair picker: written once here and called at the top of every page.

Its widgets keep their values across page switches (`state.keep_widget_values`), so the pair a
user picked on one page is the pair every other page runs on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from unpredict_core.backends.base import FORMATS, PromptFormat
from unpredict_core.backends.model_dirs import MODEL_DIRS_ENV, SERVERS_ENV, confined_pair
from unpredict_core.backends.models import PRESETS, ModelPair, check_pair
from unpredict_core.backends.server.client import capability_note, server_info
from unpredict_core.errors import UnpredictError
from unpredict_core.runs import ROLES
from unpredict_ui.state import keep_widget_values, kept_key
from unpredict_ui.text import plain

CUSTOM = "Custom"
PLACEHOLDER = "folder, .gguf file, cached hub id or server URL"
KEY = kept_key("pair") + "."  # prefix of every picker widget key
FORMAT_HELP = (
    "plain: the request is sent as text for the model to continue. "
    "chat: the request is wrapped in the model's chat template, as a user message."
)


@dataclass(frozen=True)
class PairChoice:
    """What the user picked: a pair (None until a custom pair is complete), each side's prompt
    format, and why the pair cannot run here ("" when both sides can be loaded)."""

    pair: ModelPair | None
    formats: dict[str, PromptFormat] = field(default_factory=dict)
    problem: str = ""

    @property
    def ready(self) -> bool:
        return self.pair is not None and not self.problem


@st.cache_data(ttl=60, show_spinner=False)
def _problems(_pair: ModelPair, pair_id: str) -> dict[str, str]:
    """Why each side of a pair cannot be loaded here (empty when both can); checks files only."""
    try:
        status = check_pair(_pair)
    except UnpredictError as exc:
        return {"pair": str(exc)}
    return {role: reason for role in ROLES if (reason := getattr(status, role))}


@st.cache_data(ttl=60, show_spinner=False)
def _server_notes(_pair: ModelPair, pair_id: str) -> dict[str, str]:
    """For each side on a model server whose scores will not be exact, what to know first; cached
    like `_problems`, so reruns of a page do not probe the server again."""
    notes = {}
    for role in ROLES:
        spec = _pair.side(role)
        if spec.source == "server":
            try:
                note = capability_note(server_info(spec.location, spec.served_model))
            except UnpredictError:
                continue  # already shown as the side's problem
            if note:
                notes[role] = note
    return notes


def problem_text(pair: ModelPair) -> str:
    problems = _problems(pair, repr(pair))
    return "\n\n".join(f"**{role.title()} side:** {plain(reason)}" for role, reason in problems.items())


def _preset_label(name: str) -> str:
    if name == CUSTOM:
        return "Custom: two paths, hub ids or servers"
    return f"{name} · {'missing here' if problem_text(PRESETS[name]) else 'available'}"


def _custom_pair() -> ModelPair | None:
    base = st.text_input(
        "Base model",
        key=KEY + "custom.base",
        placeholder=PLACEHOLDER,
    )
    aligned = st.text_input(
        "Aligned model",
        key=KEY + "custom.aligned",
        placeholder=PLACEHOLDER,
    )
    allow_pickle = st.checkbox(
        "Allow .bin/.pt weights",
        key=KEY + "custom.pickle",
        help="Pickle-based weights can run code when loaded: allow them only for files you trust.",
    )
    st.caption(
        f"Paths must lie in cache/models/, the Hugging Face cache or a folder listed in {MODEL_DIRS_ENV}. "
        f"A model server (vLLM, llama.cpp): `http://host:port#served-model`, on localhost or listed in {SERVERS_ENV}."
    )
    if not (base.strip() and aligned.strip()):
        return None
    try:  # a typed path may not leave the allowed model folders (unpredict_core.backends.model_dirs)
        return confined_pair(base, aligned, allow_pickle=allow_pickle)
    except UnpredictError as exc:
        st.error(plain(exc))
        return None


def _format(pair: ModelPair, role: str) -> PromptFormat:
    default = pair.side(role).default_format
    return st.radio(
        f"{role.title()} prompt format (default: {default})",
        FORMATS,
        index=FORMATS.index(default),
        key=f"{KEY}format.{pair.name}.{role}",  # per pair: a new pair starts at its own defaults
        horizontal=True,
        help=FORMAT_HELP,
    )


def pick_pair() -> PairChoice:
    """Draw the picker in the sidebar and return the choice; problems are shown, never raised."""
    keep_widget_values()  # for every page's kept widgets, since every page calls this first
    with st.sidebar:
        st.header("Model pair")
        name = st.selectbox(
            "Pair",
            [*PRESETS, CUSTOM],
            key=KEY + "preset",
            format_func=_preset_label,
        )
        pair = _custom_pair() if name == CUSTOM else PRESETS[name]
        if pair is None:
            message = "Enter a base and an aligned model to compare."
            st.info(message)
            return PairChoice(None, problem=message)
        st.markdown(f"**Base:** {plain(pair.base.label)}  \n**Aligned:** {plain(pair.aligned.label)}")
        if pair.note:
            st.caption(plain(pair.note))
        problem = problem_text(pair)
        if problem:
            st.error(problem)
        else:
            for role, note in _server_notes(pair, repr(pair)).items():
                st.caption(f"**{role.title()} side:** {plain(note)}")
        formats = {role: _format(pair, role) for role in ROLES}
    return PairChoice(pair, formats, problem)
