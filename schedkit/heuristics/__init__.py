"""Numba kernels (arrays in, arrays out) and the heuristics built on them.

Shared pieces sit at this level (:mod:`.kernels`: the seeded generator, decoders, the one heap;
:mod:`.search`: the stopping protocol); each problem has its own folder. The problem packages
are public (``schedkit.heuristics.jobshop.dispatch(instance, "mwkr")``, …): instance in,
solution or sequence out, for notebooks and benchmarks that time a heuristic by itself.
"""

from . import dag, expert_placement, jobshop, sequence_parallel, single_machine

__all__ = ["dag", "expert_placement", "jobshop", "sequence_parallel", "single_machine"]
