"""Fixtures shared by every test folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest


def _run_script(script: str, jit: bool) -> Any:
    """Run ``script`` in a fresh interpreter (JIT on or off) and parse the JSON it prints."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_DISABLE_JIT"}
    if not jit:
        env["NUMBA_DISABLE_JIT"] = "1"
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def jit_outputs() -> Callable[[str], tuple[Any, Any]]:
    """``jit_outputs(script)`` → (output compiled, output under NUMBA_DISABLE_JIT=1)."""
    return lambda script: (_run_script(script, True), _run_script(script, False))
