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
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, cast

from unpredict_core.errors import StoreError
from unpredict_core.paths import cache_dir
from unpredict_core.records import RunRecord
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


MAX_KEPT_BYTES = 64 * 1024 * 1024  # a kept run is a run's JSON: anything larger is not one


def _read_kept(path: Path, store: Store) -> tuple[str, RunRecord] | str:
    """(cache key, run) of a kept file meant for this database, or why it is not imported."""
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_KEPT_BYTES:
        return "it is not a regular file of a run's size"
    kept = json.loads(path.read_text(encoding="utf-8"))
    key, result = str(kept["cache_key"]), kept["result"]
    if not (isinstance(result, dict) and isinstance(result.get("sides"), dict) and result.get("run_id")):
        return "it does not hold a run"
    meant = kept.get("database")  # written by keep_unsaved; files of older versions name none
    here = str(store.path.resolve())
    if (meant or str(default_db().resolve())) != here:
        return ""  # another database's run: not ours to take, left quietly
    problems = out_of_range(result)
    return f"it fails the trust check ({problems[0]})" if problems else (key, cast(RunRecord, result))


def default_db() -> Path:
    return cache_dir() / "unpredict.duckdb"


def _import_folder(store: Store, folder: Path) -> list[str]:
    """Each file of `folder` on its own: one that cannot be read, stored or trusted is left where
    it is and named, and never stops the store from opening; a store that cannot write stops the
    import until the next opening."""
    imported, said = 0, []
    for path in sorted(folder.glob("*.json")):
        try:
            found = _read_kept(path, store)
            if isinstance(found, str):
                if found:
                    said.append(f"The kept run {path} was not imported: {found}. It was left where it is.")
                continue
            key, result = found
            if store.find_run(key) is None and store.save_run(result, key, float(result.get("duration_s") or 0.0)):
                imported += 1
        except StoreError:
            said.append(f"Kept runs in {folder} could not be imported yet: the store cannot write. They stay there.")
            break
        except Exception as exc:  # a damaged file of any kind must not keep the store from opening
            said.append(f"The kept run {path} was not imported ({type(exc).__name__}: {str(exc)[:120]}); "
                        "it was left where it is.")  # fmt: skip
            continue
        path.unlink(missing_ok=True)
    if imported:
        said.insert(0, f"Imported {imported} run(s) computed earlier while the store could not write them ({folder}).")
    return said
