"""Fixtures of the single-machine tests."""

from __future__ import annotations

import pytest

import schedkit as sk

from .cases import SMALL


@pytest.fixture(scope="session")
def optima() -> dict[str, float]:
    """DP optimum of every small instance (checked against brute force in test_kernels)."""
    return {inst.name: sk.solve(inst, "dp").objective for inst in SMALL}
