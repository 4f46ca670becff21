"""Every method schedkit has: each problem's declarations (``schedkit/solvers/<problem>/
methods.py``) collected into one registry keyed by (name, problem).

Adding a method touches its problem's folder only; adding a problem family adds one line here.
"""

from __future__ import annotations

from ..instances import problem_id
from .dag import methods as dag
from .expert_placement import methods as expert_placement
from .jobshop import methods as jobshop
from .registry import Method, Registry
from .sequence_parallel import methods as sequence_parallel
from .single_machine import methods as single_machine

__all__ = ["AUTO", "AUTO_TIMED", "REGISTRY", "all_methods", "find_method", "get_method", "warm_up"]

_DECLARED = (jobshop, single_machine, dag, expert_placement, sequence_parallel)

#: Every method, keyed by (name, problem).
REGISTRY = Registry(m for module in _DECLARED for m in module.METHODS)

#: What ``method="auto"`` picks, per problem, in order of preference (the first one that
#: supports the instance's objective).
AUTO: dict[str, tuple[str, ...]] = {module.PROBLEM: module.AUTO for module in _DECLARED}

#: The same for a run with a time limit, where a problem's measurements favour a method that
#: uses the time (the problem's ``AUTO_TIMED``; ``AUTO`` where it has none).
AUTO_TIMED: dict[str, tuple[str, ...]] = {
    module.PROBLEM: getattr(module, "AUTO_TIMED", module.AUTO) for module in _DECLARED}


def all_methods(problem: str | None = None) -> list[Method]:
    """The registered methods (of ``problem``, or all), sorted by name, then problem.

    Raises
    ------
    InputError
        For an unknown ``problem`` (``single-machine`` and ``single_machine`` both work).
    """
    if problem is not None:
        problem = problem_id(problem)
    order = list(AUTO)
    return sorted((m for m in REGISTRY if problem is None or m.problem == problem),
                  key=lambda m: (m.name, order.index(m.problem)))


def get_method(name: str, problem: str) -> Method:
    """The method called ``name`` for ``problem``, or InputError naming what exists."""
    return REGISTRY.get(name, problem)


def find_method(name: str, problem: str) -> Method | None:
    """The method called ``name`` for ``problem``, or ``None``."""
    return REGISTRY.find(name, problem)


def warm_up(problem: str | None = None) -> dict[str, float]:
    """Compile the Numba kernels of every method (of ``problem``, or of all problems) into
    Numba's on-disk cache, so that later runs, in any process, start at once.

    A cold cache (the first run after installing) otherwise compiles a method's kernels at its
    first :func:`~schedkit.solve`, before the time limit's clock starts. Returns the seconds
    spent per problem (milliseconds when the cache is already warm).
    """
    import time

    spent: dict[str, float] = {}
    if problem is not None:
        problem = problem_id(problem)
    for method in all_methods(problem):
        if method.warm_up is None:
            continue
        t0 = time.perf_counter()
        method.warm_up()
        spent[method.problem] = spent.get(method.problem, 0.0) + time.perf_counter() - t0
    return spent
