"""Where the bundled instance files live."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_dir"]


def data_dir() -> Path:
    """The folder of bundled instance files.

    ``$SCHEDKIT_DATA`` if set, else the ``instances/`` folder of the source checkout that this
    package was installed from (editable installs, the supported way to use the bundled data).
    """
    env = os.environ.get("SCHEDKIT_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "instances"
