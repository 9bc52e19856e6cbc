"""One mixed side of an experiment, with each model on its own prompt format.

An experiment builds its prompts from a format ("Number:" for plain text, "Reply with the number
only." in a chat), and a game adds its history in that format round by round. A mixture needs both
texts at every step, so the experiment runs twice, once per side's format and request, in two
threads that meet at every model call: the mixer answers the pair of calls once and both runs get
the same answer, so they take the same moves and reach the same numbers. The base-format run's
outcome is the mixed side's result; the aligned-format prompt is kept beside it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from unpredict_core.backends.base import check_scores
from unpredict_core.errors import InvalidParameter, InvalidScores, UnpredictError
from unpredict_core.progress import ProgressFn, no_progress

WAIT_S = 3600.0  # a single mixed model call longer than this is treated as stuck


class LockstepBroken(UnpredictError):
    """The two format runs asked the models different things, so they cannot share one mixture."""


class _Meeting:
    """Where the two runs' model calls meet: the base-format thread computes, both read."""

    def __init__(self, mixer):
        self.mixer = mixer
        self.cond = threading.Condition()
        self.asks: list = [None, None]
        self.gone = [False, False]  # a run that has finished (or failed) asks nothing more
        self.round = 0
        self.answer: tuple = ("", None)

    def ask(self, index: int, call: tuple):
        with self.cond:
            self.asks[index] = call
            self.cond.notify_all()
            if index == 0:
                self._until(lambda: self.asks[1] is not None or self.gone[1])
                if self.asks[1] is None:
                    raise self._broken()
                try:
                    self.answer = ("ok", self._compute(*self.asks))
                except BaseException as exc:  # noqa: BLE001 (handed to both threads below)
                    self.answer = ("error", exc)
                self.asks = [None, None]
                self.round += 1
                self.cond.notify_all()
            else:
                start = self.round
                self._until(lambda: self.round > start or self.gone[0])
                if self.round == start:
                    raise self._broken()
            status, value = self.answer
        if status == "error":
            raise value
        return value

    def _until(self, condition) -> None:
        if not self.cond.wait_for(condition, timeout=WAIT_S):
            raise LockstepBroken(f"A mixed model call took over {WAIT_S:.0f} s; the run was stopped.")

    @staticmethod
    def _broken() -> LockstepBroken:
        return LockstepBroken(
            "The experiment made a different number of model calls in the base and the aligned prompt "
            "format, so one mixture cannot answer both; this experiment cannot run mixed."
        )

    def leave(self, index: int) -> None:
        with self.cond:
            self.gone[index] = True
            self.cond.notify_all()

    def _compute(self, base_call: tuple, aligned_call: tuple):
        op, b_args, b_kwargs = base_call
        op_a, a_args, a_kwargs = aligned_call
        same = {k: v for k, v in b_kwargs.items() if k not in ("settings", "progress")}
        if op != op_a or same != {k: v for k, v in a_kwargs.items() if k not in ("settings", "progress")}:
            raise LockstepBroken(f"The two prompt formats asked for different things ({op} vs {op_a}).")
        if op == "score":
            if list(b_args[1]) != list(a_args[1]):
                raise LockstepBroken("The two prompt formats asked for different answer sets.")
            try:
                return check_scores(self.mixer.score(b_args[0], a_args[0], b_args[1]), self.mixer.label)
            except ValueError as exc:
                raise InvalidScores(f"{exc}: these are not probabilities, so nothing was stored.") from None
        if op == "sample":
            return self.mixer.sample(b_args[0], a_args[0], b_args[1], **b_kwargs)
        if len(b_args[0]) != len(a_args[0]):
            raise LockstepBroken("The two prompt formats asked for different numbers of prompts.")
        return self.mixer.generate(b_args[0], a_args[0], **b_kwargs)


class _Proxy:
    """What one format's run sees: the backend interface, its own side's prompt rendering."""

    def __init__(self, meeting: _Meeting, index: int, renderer):
        self._meeting, self._index, self._renderer = meeting, index, renderer
        self.label = meeting.mixer.label
        self.identity = meeting.mixer.identity

    @property
    def has_chat_template(self) -> bool:
        return self._renderer.has_chat_template

    def render(self, request, fmt):
        return self._renderer.render(request, fmt)

    def score_choices(self, prompt, choices):
        return self._meeting.ask(self._index, ("score", (prompt, tuple(choices)), {}))

    def sample(self, prompt, n, *, seed, settings=None, progress=None):
        from unpredict_core.backends.base import SampleSettings

        kwargs = {"seed": seed, "settings": settings or SampleSettings(), "progress": progress}
        return self._meeting.ask(self._index, ("sample", (prompt, n), kwargs))

    def generate(self, prompts, *, max_new_tokens, progress=None):
        kwargs = {"max_new_tokens": max_new_tokens, "progress": progress}
        return self._meeting.ask(self._index, ("generate", (list(prompts),), kwargs))


def run_mixed_side(
    run_side: Callable,
    mixer,
    base_side: tuple[str, str],
    aligned_side: tuple[str, str],
    params,
    progress: ProgressFn = no_progress,
) -> dict:
    """`run_side(backend, fmt, request, params, progress)` of an experiment, for the mixture:
    `base_side` and `aligned_side` are each (format, request). Returns the base-format run's
    outcome with `aligned_prompt` and `aligned_format` from the other run."""
    meeting = _Meeting(mixer)
    outcomes: list = [None, None]
    errors: list = [None, None]
    renderers = (mixer.base, mixer.aligned)

    def work(index: int, fmt: str, request: str, report: ProgressFn) -> None:
        try:
            outcomes[index] = run_side(_Proxy(meeting, index, renderers[index]), fmt, request, params, report)
        except BaseException as exc:  # noqa: BLE001 (re-raised in the caller's thread)
            errors[index] = exc
        finally:
            meeting.leave(index)

    other = threading.Thread(target=work, args=(1, *aligned_side, no_progress), daemon=True)
    other.start()
    work(0, *base_side, progress)
    other.join()
    first = errors[0] if errors[0] is not None and not isinstance(errors[0], LockstepBroken) else None
    for error in (first, errors[1], errors[0]):
        if error is not None:
            raise error
    outcome, aligned = outcomes[0], outcomes[1]
    if not isinstance(outcome, dict):
        raise InvalidParameter("The mixed run gave no result.")
    return outcome | {"aligned_format": aligned.get("format"), "aligned_prompt": aligned.get("prompt")}
