"""Exact models, one module per (problem, paradigm): they build models and never solve them.

The CP-SAT and MILP formulations arrive with the problem issues (job shop, single machine, DAG).
"""

__all__: list[str] = []
