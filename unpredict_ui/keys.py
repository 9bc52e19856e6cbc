"""Keyboard shortcuts that press a page's own buttons (arrow keys in talk mode, r / p / s in play).

A zero-height component puts one keydown listener on the page (once per browser tab) and a table
of key → button text that each rerun replaces; a key press clicks the first enabled button whose
text ends with the bound label, exactly as a mouse click would, so the shortcut can do nothing a
button cannot. Keys typed into a text field, or with Ctrl / Alt / Cmd held, are left alone. When
the component leaves the page (another page is opened) its table is cleared.
"""

from __future__ import annotations

import json

import streamlit as st

SCRIPT = """<script>
const win = window.parent, doc = win.document;
const bindings = %s;
win.__unpredictKeys = bindings;
window.addEventListener("unload", () => { if (win.__unpredictKeys === bindings) win.__unpredictKeys = {}; });
if (!win.__unpredictKeysBound) {
  win.__unpredictKeysBound = true;
  doc.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target && (["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) || target.isContentEditable)) return;
    const label = (win.__unpredictKeys || {})[event.key];
    if (!label) return;
    const button = [...doc.querySelectorAll("button")].find(
      (b) => !b.disabled && b.innerText.trim().endsWith(label));
    if (button) { event.preventDefault(); button.click(); }
  });
}
</script>"""


def bind_keys(bindings: dict[str, str]) -> None:
    """Pressing a key of `bindings` clicks the button whose text ends with its label."""
    st.iframe(SCRIPT % json.dumps(bindings), height=1)  # our own script, never user text
