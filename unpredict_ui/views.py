"""Which function draws a stored run of each experiment, for Results and anywhere else a run is
shown in full. Each room's view module marks its own with `@shows(NAME)`; the views are found by
walking this package, so no list here names an experiment (a new experiment's page module brings
its view with it). An experiment without a view is shown as its stored JSON."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

View = Callable[[dict[str, Any]], None]
_VIEWS: dict[str, View] = {}
_found = False


def shows(experiment: str) -> Callable[[View], View]:
    def mark(view: View) -> View:
        _VIEWS[experiment] = view
        return view

    return mark


def view_for(experiment: str) -> View | None:
    global _found
    if not _found:
        import unpredict_ui

        for info in pkgutil.walk_packages(unpredict_ui.__path__, "unpredict_ui."):
            importlib.import_module(info.name)
        _found = True
    return _VIEWS.get(experiment)
