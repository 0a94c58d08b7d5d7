"""Where things live on disk (platformdirs), overridable for tests and scripts."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir, user_data_dir

from storage.index import folder
from storage.server import is_server_url

APP = "dossier"


def data_root() -> Path:
    return Path(os.environ.get("DOSSIER_DATA_DIR") or user_data_dir(APP, appauthor=False))


def default_project() -> Path:
    folder = data_root()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "default.dossier"


def styles_folder() -> Path:
    """Where house citation styles are kept (made when the first is added)."""
    return data_root() / "styles"


def sample_project_path() -> Path:
    """Where the sample project is made (beside the default project)."""
    return default_project().with_name("sample.dossier")


def project_from_env(explicit: str | os.PathLike[str] | None) -> Path | str:
    """``--project``, else ``$DOSSIER_PROJECT``, else the default project: a file's path,
    or a server project's URL as given."""
    chosen = explicit or os.environ.get("DOSSIER_PROJECT")
    if not chosen:
        return default_project()
    if is_server_url(chosen):
        return str(chosen)
    return Path(chosen).expanduser()


def cache_root() -> Path:
    return Path(os.environ.get("DOSSIER_CACHE_DIR") or user_cache_dir(APP, appauthor=False))


def index_folder(project_uuid: str) -> Path:
    """The project's index folder in the cache; raises if the uuid is not a canonical UUID."""
    return folder.index_folder(cache_root(), project_uuid)
