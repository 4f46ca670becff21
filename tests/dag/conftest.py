"""Fixtures of the DAG tests."""

from __future__ import annotations

import dataclasses

import pytest

import schedkit as sk
from schedkit.solvers.registry import METHODS


@pytest.fixture
def exact_methods(monkeypatch: pytest.MonkeyPatch) -> None:
    """``cpsat`` and ``milp`` solving dag instances in this test.

    The two names are shared with other problems: one registry line each, whose adapter routes
    to ``schedkit.solvers.adapters.dag_cpsat``/``dag_milp`` by problem. Until that line lists
    ``dag``, widen it here (only for the test, undone afterwards); once it does, this is a
    no-op.
    """
    for name in ("cpsat", "milp"):
        method = sk.get_method(name)
        if "dag" not in method.problems:
            monkeypatch.setitem(METHODS, name, dataclasses.replace(
                method, problems=method.problems + ("dag",)))
