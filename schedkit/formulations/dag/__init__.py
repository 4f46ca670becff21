"""Exact models of DAG scheduling on heterogeneous processors: CP-SAT (:mod:`.cpsat`) and MILP
(:mod:`.milp`). They build models and never solve them; the solver adapters do."""

__all__: list[str] = []
