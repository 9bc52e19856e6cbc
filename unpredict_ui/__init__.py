"""unpredict_ui: the Streamlit layer on top of unpredict_core.

Pages in `pages/` stay short and read top to bottom; everything they share lives here:
`sidebar.pick_pair` (the one pair picker), `resources` (process-wide Store and models),
`running` (a run with progress and user-facing errors), `results` and `charts` (display).
The library never imports this package.
"""
