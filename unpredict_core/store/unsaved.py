"""Runs that were computed while the store could not take them (a full disk, a lost permission)
are kept as JSON files in an `unsaved/` folder — beside the database, or in the cache folder when
that disk is the full one; the next time the store opens and can write they are imported, each
under its own cache key, so the rerun of the same settings is answered from the cache instead of
computed again, and the files do not pile up.

A file is removed only once its run is in the database (imported now, or found there already). One
that cannot be read, or whose numbers fail the trust check, is left where it is and named.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from unpredict_core.errors import StoreError
from unpredict_core.paths import cache_dir
from unpredict_core.trust import out_of_range

if TYPE_CHECKING:
    from unpredict_core.store.database import Store

FOLDER = "unsaved"


def unsaved_folders(store: Store) -> list[Path]:
    """Where runs are kept, in the order they are tried: beside the database, then the cache."""
    beside, cache = store.path.parent / FOLDER, cache_dir() / FOLDER
    return [beside] if beside.resolve() == cache.resolve() else [beside, cache]


def import_unsaved(store: Store) -> list[str]:
    """Import every kept run the store does not hold yet; one sentence for the user per outcome."""
    said: list[str] = []
    for folder in unsaved_folders(store):
        if folder.is_dir():
            said += _import_folder(store, folder)
    return said


def _import_folder(store: Store, folder: Path) -> list[str]:
    files = sorted(folder.glob("*.json"))
    imported, said = 0, []
    for path in files:
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
            key, result = str(kept["cache_key"]), kept["result"]
            str(result["run_id"])  # a run without an id is not a run
        except (OSError, ValueError, KeyError, TypeError) as exc:
            said.append(f"The kept run {path} cannot be read ({type(exc).__name__}); it was left where it is.")
            continue
        problems = out_of_range(result)
        if problems:
            said.append(f"The kept run {path} fails the trust check ({problems[0]}); it was left where it is.")
            continue
        try:
            if store.find_run(key) is None:
                store.save_run(result, key, float(result.get("duration_s") or 0.0))
                imported += 1
        except StoreError:
            said.append(f"Kept runs in {folder} could not be imported yet: the store cannot write. They stay there.")
            break
        path.unlink(missing_ok=True)
    if imported:
        said.insert(0, f"Imported {imported} run(s) computed earlier while the store could not write them ({folder}).")
    return said
