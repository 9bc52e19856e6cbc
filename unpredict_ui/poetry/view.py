"""Poetry page, generate and browse: the run's settings, the poems side by side, and which stored
run the Rate and Analysis views work on."""

from __future__ import annotations

import json

import streamlit as st

from unpredict_core.errors import InvalidParameter, UnpredictError
from unpredict_core.experiments import poetry
from unpredict_core.runs import ROLES
from unpredict_ui.inputs import declared_number
from unpredict_ui.poetry.analysis import show_proxies
from unpredict_ui.resources import store
from unpredict_ui.state import kept_key
from unpredict_ui.text import count, plain
from unpredict_ui.views import shows

EMPTY = "(nothing left after cleaning: the model wrote only chat artefacts or an echo of the prompt)"


def poetry_params(page: str) -> tuple[poetry.Params | None, str]:
    """The run's parameters from the widgets, or None and the reason they cannot run."""
    topics_column, numbers_column = st.columns([3, 2])
    topics_text = topics_column.text_area(
        "Topics, one per line",
        value="\n".join(poetry.DEFAULT_TOPICS),
        key=kept_key(page, "topics"),
        height=210,
        help=f"Up to {poetry.MAX_TOPICS} topics of at most {poetry.MAX_TOPIC_CHARS} characters; "
        "duplicates are dropped.",
    )
    samples = declared_number(numbers_column, "Poems per topic and side", poetry.Params, "samples", page)
    max_new_tokens = declared_number(
        numbers_column, "Length cap (new tokens per poem)", poetry.Params, "max_new_tokens", page, step=16
    )
    seed = declared_number(numbers_column, "Seed", poetry.Params, "seed", page)
    embeddings = numbers_column.checkbox(
        "Embedding-diversity proxy",
        value=True,
        key=kept_key(page, "embeddings"),
        help="Loads a small sentence-embedding model once (~10 s).",
    )
    params = poetry.Params(
        topics=tuple(topics_text.splitlines()),
        samples=int(samples),
        seed=int(seed),
        max_new_tokens=int(max_new_tokens),
        embeddings=bool(embeddings),
    )
    try:
        return params.validate(), ""
    except InvalidParameter as exc:
        return None, plain(exc)


def generation_note(params: poetry.Params) -> None:
    poems = len(params.topics) * params.samples
    st.caption(
        f"{count(len(params.topics), 'topic')} × {count(params.samples, 'poem')} × 2 sides = "
        f"{count(2 * poems, 'poem')} of up to "
        f"{params.max_new_tokens} tokens, sampled at temperature {params.temperature:g}, top-p {params.top_p:g}. "
        "On 2 CPU cores the default pair writes roughly 10 tokens per second per poem batch. "
        "In the request, `{topic}` is replaced by each topic."
    )


def _short(label: str) -> str:
    return plain(label.split(" (")[0])


def _header(result: dict) -> None:
    sides, params = result["sides"], result["params"]
    st.subheader(f"Poems measured here on {_short(sides['base']['model'])} vs {_short(sides['aligned']['model'])}")
    st.caption(
        f"Pair “{plain(result['pair'])}” · {count(len(params['topics']), 'topic')} × "
        f"{count(params['samples'], 'poem')} per side · "
        f"seed {params['seed']} · length cap {params['max_new_tokens']} tokens · run {result['run_id']}. "
        "Poems are cleaned of prompt echo and chat artefacts; the raw text is kept."
    )
    if result.get("pair_note"):
        st.caption(plain(result["pair_note"]))
    if result.get("cached"):
        st.info(f"Answered from the cache: written at {result['created_at'][:19].replace('T', ' ')} UTC.")
    for role in ROLES:
        side = sides[role]
        if side.get("format_note"):
            st.warning(f"{role.title()}: {plain(side['format_note'])}")
        if side.get("empty_poems"):
            st.warning(f"{role.title()}: {side['empty_poems']} poem(s) were empty after cleaning.")


def _poem(column, poem: dict) -> None:
    with column.container(border=True):
        st.text(poem["text"] or EMPTY)
        if poem.get("notes"):
            st.caption(plain("Cleaning: " + "; ".join(poem["notes"])))
        with st.expander("Raw text"):
            st.code(poem["raw"], language=None, wrap_lines=True)


@shows(poetry.NAME)
def show_poems(result: dict) -> None:
    """Every topic's poems, base on the left and aligned on the right, and the exact prompts."""
    _header(result)
    sides = result["sides"]
    with st.expander("Exact prompt sent to each side (`{topic}` is replaced by the topic)"):
        for column, role in zip(st.columns(2), ROLES, strict=True):
            column.markdown(f"**{role.title()}** · format `{sides[role]['format']}`")
            column.code(sides[role]["prompt"], language=None, wrap_lines=True)
    for topic in result["params"]["topics"]:
        st.markdown(f"#### {plain(topic)}")
        columns = st.columns(2, gap="large")
        for column, role in zip(columns, ROLES, strict=True):
            column.markdown(f"**{role.title()}** · {_short(sides[role]['model'])}")
            for poem in sides[role]["poems"]:
                if poem["topic"] == topic:
                    _poem(column, poem)
    show_proxies(result, "poetry.browse.proxies")


def _run_label(run: dict) -> str:
    params = json.loads(run["params"])
    when = str(run["created_at"])[:16]
    return f"{when} · {run['pair']} · {len(params['topics'])} topics × {params['samples']} · run {run['run_id']}"


def pick_run(page: str) -> dict | None:
    """The stored poetry run to rate or analyse: the one just generated by default."""
    try:
        runs = store().list_runs("poetry")
    except UnpredictError as exc:
        st.error(plain(exc))
        return None
    if not runs:
        st.info("No poems yet: generate some in **Generate & browse** first.")
        return None
    kept = st.session_state.get(page, {}).get("result", {})
    ids = [r["run_id"] for r in runs]
    labels = {r["run_id"]: _run_label(r) for r in runs}
    index = ids.index(kept["run_id"]) if kept.get("run_id") in ids else 0
    run_id = st.selectbox("Poems of run", ids, index=index, format_func=labels.get, key=f"{page}.run_pick")
    return store().find_run_by_id(run_id)
