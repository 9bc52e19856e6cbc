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


# -- OpenAI-compatible servers (backends/server/) ---------------------------------------------------
class ServerUnavailable(ModelNotFound):
    """A model server cannot be reached, or does not serve the model named: nothing can run."""


class ServerTimeout(UnpredictError):
    """A model server stopped answering in the middle of a run: the run is not stored, and a
    sweep marks the item failed so that resuming retries it."""


class ServerProtocolError(UnpredictError):
    """A model server answered, but not in a form this app understands."""


class InvalidScores(UnpredictError):
    """A backend gave numbers that are not probabilities (NaN, above 1, a log-probability above 0):
    the run is refused and nothing is stored."""


class UntrustedRun(UnpredictError):
    """A stored run for these settings holds numbers no measurement can give: it is not used."""
