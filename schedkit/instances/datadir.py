"""Where the bundled instance files live.

They ship inside the package (``schedkit/data/``, one folder per source with its README and
licence), so a plain ``pip install`` of the wheel finds them through :mod:`importlib.resources`;
``$SCHEDKIT_DATA`` points the library at another folder of the same layout instead.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from .errors import InputError

__all__ = ["DATA_ENV", "data_dir", "describe_data_dir"]

#: The environment variable that overrides the bundled data folder.
DATA_ENV = "SCHEDKIT_DATA"


def _bundled() -> Path | None:
    """The package's own data folder, or ``None`` if it is not a folder on disk (a zipped
    install: the catalogue globs and stats files, which a zip member cannot do)."""
    # The package root (not this subpackage): the data sit beside the code floors.
    root = files(__name__.split(".")[0]).joinpath("data")
    return root if isinstance(root, Path) else None


def data_dir() -> Path:
    """The folder of bundled instance files.

    ``$SCHEDKIT_DATA`` if set (not checked here: a folder without the expected files simply
    lists nothing), else the ``data/`` folder inside the installed package.

    Raises
    ------
    InputError
        If the package is installed in a form whose data are not a folder on disk and
        ``$SCHEDKIT_DATA`` is not set.
    """
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env)
    root = _bundled()
    if root is None:
        raise InputError("this schedkit installation keeps its bundled data inside an archive; "
                         f"unpack them and set ${DATA_ENV} to that folder",
                         field=f"${DATA_ENV}")
    return root


def describe_data_dir() -> str:
    """Where bundled names are looked up, and how to change it: one phrase for error messages.

    Never raises (it is used while reporting another error).
    """
    env = os.environ.get(DATA_ENV)
    if env:
        missing = "" if Path(env).is_dir() else ", which is not a folder"
        return f"bundled data read from ${DATA_ENV}={env}{missing}"
    root = _bundled()
    where = "the installed package" if root is None else str(root)
    missing = "" if root is None or root.is_dir() else " (missing)"
    return f"bundled data read from {where}{missing}; set ${DATA_ENV} to use another folder"
