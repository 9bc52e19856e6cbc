"""User-facing errors.

Every failure a user can cause (a bad path, a bad parameter, a broken file) is raised as an
`UnpredictError` whose message says what went wrong and what to do. The CLI prints the message
and exits 2; the dashboard shows it with `st.error`. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class UnpredictError(Exception):
    """An error whose message is written for the user, not the developer."""


class ModelNotFound(UnpredictError):
    """A model spec points at nothing loadable on this machine."""


class InvalidParameter(UnpredictError):
    """A run parameter is out of its allowed range."""


class StoreError(UnpredictError):
    """The results database cannot be opened or written."""
