"""Trivial feasible schedules, one per problem: the ``baseline`` method.

They exist to exercise the whole pipeline end to end and to give every benchmark table a floor.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..instances import DAG, ExpertPlacement, Instance, JobShop, SequenceParallel, SingleMachine
from .kernels import chain_decode, jobshop_decode, sm_decode

__all__ = ["baseline_solution"]


def _jobshop(inst: JobShop) -> dict[str, Any]:
    # Jobs one after another, each operation as early as its job and machine allow.
    seq = np.repeat(np.arange(inst.n_jobs, dtype=np.int64), np.diff(inst.job_offsets))
    start = jobshop_decode(inst.job_offsets, inst.op_machine, inst.op_duration, inst.release,
                           inst.machines, seq)
    off = inst.job_offsets
    return {"start": [start[off[j]:off[j + 1]].tolist() for j in range(inst.n_jobs)]}


def _single_machine(inst: SingleMachine) -> dict[str, Any]:
    seq = np.arange(inst.n_jobs, dtype=np.int64)
    start = sm_decode(inst.processing, inst.release, seq)
    return {"sequence": seq.tolist(), "start": start.tolist()}


def _dag(inst: DAG) -> dict[str, Any]:
    # Everything on the processor that is fastest in total: no communication at all.
    p = int(np.argmin(inst.cost.sum(axis=0)))
    dur = np.ascontiguousarray(inst.cost[:, p])
    start = chain_decode(dur, inst.topological_order())
    return {"processor": [p] * inst.n_tasks, "start": start.tolist()}


def _expert_placement(inst: ExpertPlacement) -> dict[str, Any]:
    # Slot i (GPU i // S) holds expert i mod E: round robin. Two replicas of one expert are E
    # slots apart, and E >= S, so they never share a GPU.
    E, S = inst.n_experts, inst.slots_per_gpu
    layer = [[] for _ in range(E)]
    for i in range(inst.slots):
        layer[i % E].append(i // S)
    return {"replicas": [[list(g) for g in layer] for _ in range(inst.n_layers)]}


def _sequence_parallel(inst: SequenceParallel) -> dict[str, Any]:
    # One group of the largest allowed degree; sequences in input order, a new micro-batch
    # whenever the group's memory is full.
    d = int(inst.degrees[-1])
    cap = inst.memory_tokens * d
    devices = list(range(d))
    mbs: list[list[dict[str, Any]]] = []
    current: list[int] = []
    tokens = 0
    for k, s in enumerate(inst.lengths.tolist()):
        if current and tokens + s > cap:
            mbs.append([{"devices": devices, "sequences": current}])
            current, tokens = [], 0
        current.append(k)
        tokens += s
    mbs.append([{"devices": devices, "sequences": current}])
    return {"microbatches": mbs}


_BY_PROBLEM = {
    "jobshop": _jobshop,
    "single_machine": _single_machine,
    "dag": _dag,
    "expert_placement": _expert_placement,
    "sequence_parallel": _sequence_parallel,
}


def baseline_solution(instance: Instance) -> dict[str, Any]:
    """A trivial feasible solution: job-shop jobs in order; the given order on one machine;
    topological order on the fastest processor; round-robin expert placement; one group of all
    devices (the largest allowed degree) with micro-batches filled in input order."""
    return _BY_PROBLEM[instance.problem](instance)
