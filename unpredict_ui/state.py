"""Widget values that outlive a page switch.

Streamlit forgets a widget's value after a run that does not draw it (another page, a hidden
input). Re-assigning the values at the top of every run keeps them for the whole session; this is
Streamlit's documented workaround. (`persist_state="session"` in 1.67 restores a value one run
late after a page switch, so the first run of the new page would see the default.)

Widgets whose value should be kept take their key from `kept_key`; `sidebar.pick_pair`, which
every page calls first, calls `keep_widget_values`. Never give a button a kept key: a button's
value cannot be assigned.
"""

from __future__ import annotations

import streamlit as st

PREFIX = "kept."


def kept_key(*parts: str) -> str:
    return PREFIX + ".".join(parts)


def keep_widget_values() -> None:
    for key in list(st.session_state):
        if isinstance(key, str) and key.startswith(PREFIX):
            st.session_state[key] = st.session_state[key]
