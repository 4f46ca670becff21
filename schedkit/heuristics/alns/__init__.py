"""The adaptive large-neighbourhood search engine shared by every problem (its operators live in
each problem's rooms): :func:`~.engine.run_alns`."""

from .engine import SELECTIONS, TRACE_POINTS, AlnsRun, Annealing, Freed, State, run_alns

__all__ = ["SELECTIONS", "TRACE_POINTS", "AlnsRun", "Annealing", "Freed", "State", "run_alns"]
