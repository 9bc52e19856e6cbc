"""Inputs shared by experiment pages."""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Callable

import streamlit as st

from unpredict_core.params import spec_of
from unpredict_core.runs import ROLES
from unpredict_ui.sidebar import PairChoice
from unpredict_ui.state import kept_key


def request_editors(
    page: str, choice: PairChoice, params, default_request: Callable[[object, str], str]
) -> dict[str, str]:
    """Each side's request text, editable; the default is the experiment's text for that side's
    format. A key per (kind, format) means switching the format brings back its own text."""
    texts = {}
    with st.expander("Request text sent to each side (editable)"):
        st.caption(
            "The base side gets it as plain text to continue; a chat side gets it through "
            "the model's chat template. The exact model input is shown with the results."
        )
        for column, role in zip(st.columns(2), ROLES, strict=True):
            fmt = choice.formats.get(role) or ("chat" if role == "aligned" else "plain")
            default = default_request(params, fmt)
            key = kept_key(page, "request", role, fmt, f"{zlib.crc32(default.encode()):08x}")
            texts[role] = column.text_area(f"{role.title()} request ({fmt})", value=default, key=key, height=110)
    return texts


def declared_number(container, label: str, params_class: type, name: str, page: str, **kwargs) -> int | float:
    """A number widget whose min, max, default and help come from the parameter's declaration
    (unpredict_core.params), so the page offers exactly the range a run accepts."""
    spec = spec_of(params_class, name)
    default = next(f.default for f in dataclasses.fields(params_class) if f.name == name)
    low = spec.min if not spec.min_open else None
    kwargs.setdefault("help", spec.help[:1].upper() + spec.help[1:] + "." if spec.help else None)
    value = container.number_input(label, low, spec.max, default, key=kept_key(page, name), **kwargs)
    return spec.kind(value)


def declared_choice(
    container, label: str, params_class: type, name: str, page: str, labels: dict[str, str] | None = None, **kwargs
) -> str:
    """A radio of the setting's declared choices, its default first picked; `labels` only words them."""
    spec = spec_of(params_class, name)
    default = next(f.default for f in dataclasses.fields(params_class) if f.name == name)
    options = list(spec.choices)
    return container.radio(
        label,
        options,
        index=options.index(default),
        format_func=(labels or {}).get,
        horizontal=True,
        key=kept_key(page, name),
        **kwargs,
    )
