"""Numba kernel of Giffler–Thompson schedule generation with priority dispatching rules.

Arrays and ints in, arrays out, no state; ``cache=True``; runs unchanged under
``NUMBA_DISABLE_JIT=1``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["RULES", "gt_dispatch"]

#: Rule name -> id used by the kernel.
RULES = {
    "spt": 0,  # shortest processing time of the operation
    "lpt": 1,  # longest processing time
    "mwkr": 2,  # most work remaining in the job (this operation included)
    "lwkr": 3,  # least work remaining
    "mopnr": 4,  # most operations remaining
    "fifo": 5,  # the job that has waited longest (earliest time its operation became ready)
    "edd": 6,  # earliest job due date
    "atc": 7,  # apparent tardiness cost (Vepsalainen & Morton 1987)
    "random": 8,  # a seeded random priority per operation
}


@njit(cache=True, inline="always")
def _score(rule: int, k: int, j: int, t: int, op_duration: np.ndarray, rem_work: np.ndarray,
           rem_ops: np.ndarray, ready: np.ndarray, due: np.ndarray, weight: np.ndarray,
           noise: np.ndarray, atc_k: float, mean_p: float) -> float:
    """Priority of operation ``k`` of job ``j`` at time ``t``: the highest score is chosen."""
    p = float(op_duration[k])
    if rule == 0:
        return -p
    if rule == 1:
        return p
    if rule == 2:
        return float(rem_work[j])
    if rule == 3:
        return -float(rem_work[j])
    if rule == 4:
        return float(rem_ops[j])
    if rule == 5:
        return -float(ready[j])
    if rule == 6:
        return -float(due[j])
    if rule == 7:
        # ATC: (w / p) * exp(-max(0, slack) / (k * mean p)), slack = due - now - work left.
        slack = float(due[j]) - float(t) - float(rem_work[j])
        if slack < 0.0:
            slack = 0.0
        return (float(weight[j]) / max(p, 1e-9)) * np.exp(-slack / (atc_k * mean_p))
    return noise[k]


@njit(cache=True)
def gt_dispatch(
    job_offsets: np.ndarray,
    op_machine: np.ndarray,
    op_duration: np.ndarray,
    release: np.ndarray,
    due: np.ndarray,
    weight: np.ndarray,
    machines: int,
    rule: int,
    nondelay: bool,
    atc_k: float,
    noise: np.ndarray,
) -> np.ndarray:
    """Start times of a Giffler–Thompson schedule built with a priority rule.

    *Active* mode (Giffler & Thompson, Operations Research 8(4), 1960): take the schedulable
    operation with the earliest completion time C*, on machine m*; among the schedulable
    operations on m* that can start before C*, schedule the one the rule prefers. *Non-delay*
    mode: among the operations that can start at the earliest possible start time (on any
    machine), schedule the one the rule prefers. Ties go to the lowest job index.

    Parameters
    ----------
    job_offsets, op_machine, op_duration
        The job shop, operations flat in route order (:class:`~schedkit.instances.JobShop`).
    release, due, weight
        int64 (n,) per job (``due`` may be anything when the rule does not use it).
    machines
        Number of machines.
    rule
        A value of :data:`RULES`.
    nondelay
        Non-delay instead of active schedule generation.
    atc_k
        Look-ahead parameter of ATC.
    noise
        float64 (ops,) random priorities for the ``random`` rule (unused otherwise).

    Returns
    -------
    start : int64 (ops,)
    """
    n = job_offsets.shape[0] - 1
    total = op_machine.shape[0]
    start = np.zeros(total, dtype=np.int64)
    next_op = job_offsets[:-1].copy()
    ready = release.copy()  # when each job's next operation may start (job side)
    mach_free = np.zeros(machines, dtype=np.int64)
    rem_work = np.zeros(n, dtype=np.int64)
    rem_ops = np.zeros(n, dtype=np.int64)
    for j in range(n):
        rem_ops[j] = job_offsets[j + 1] - job_offsets[j]
        for k in range(job_offsets[j], job_offsets[j + 1]):
            rem_work[j] += op_duration[k]
    mean_p = max(1.0, float(op_duration.sum()) / max(total, 1))
    # Jobs with operations left, compacted by swap-removal so that finished jobs cost nothing
    # (ties are broken on job indices explicitly, so the order of this list does not matter).
    alive = np.arange(n)
    n_alive = n
    est = np.zeros(n, dtype=np.int64)
    # Non-delay mode keeps, per machine, the jobs whose next operation needs it: a step then
    # looks at machines and at the queues of the machines that can start earliest only.
    # A queued job's ready time cannot change until it is scheduled (and leaves the queue), so
    # each queue's smallest ready time is kept up to date incrementally.
    queue = np.zeros((machines, n), dtype=np.int64)
    qlen = np.zeros(machines, dtype=np.int64)
    qmin = np.zeros(machines, dtype=np.int64)
    if nondelay:
        for j in range(n):
            m = op_machine[job_offsets[j]]
            qmin[m] = ready[j] if qlen[m] == 0 else min(qmin[m], ready[j])
            queue[m, qlen[m]] = j
            qlen[m] += 1
    for _ in range(total):
        chosen = -1
        if nondelay:
            t_star = -1
            for m in range(machines):
                if qlen[m] == 0:
                    continue
                e = max(qmin[m], mach_free[m])
                if t_star < 0 or e < t_star:
                    t_star = e
            best_score = 0.0
            for m in range(machines):
                if qlen[m] == 0 or mach_free[m] > t_star:
                    continue
                for q in range(qlen[m]):
                    j = queue[m, q]
                    if ready[j] > t_star:
                        continue
                    sc = _score(rule, next_op[j], j, t_star, op_duration, rem_work, rem_ops,
                                ready, due, weight, noise, atc_k, mean_p)
                    if chosen < 0 or sc > best_score or (sc == best_score and j < chosen):
                        chosen = j
                        best_score = sc
        else:
            # Earliest completion C* over all schedulable operations, and its machine m*.
            c_star = 0
            j_star = -1
            for a in range(n_alive):
                j = alive[a]
                k = next_op[j]
                e = max(ready[j], mach_free[op_machine[k]])
                est[j] = e
                c = e + op_duration[k]
                if j_star < 0 or c < c_star or (c == c_star and j < j_star):
                    c_star = c
                    j_star = j
            m_star = op_machine[next_op[j_star]]
            best_score = 0.0
            for a in range(n_alive):
                j = alive[a]
                k = next_op[j]
                if op_machine[k] != m_star or est[j] >= c_star:
                    continue
                sc = _score(rule, k, j, est[j], op_duration, rem_work, rem_ops, ready, due,
                            weight, noise, atc_k, mean_p)
                if chosen < 0 or sc > best_score or (sc == best_score and j < chosen):
                    chosen = j
                    best_score = sc
            if chosen < 0:  # only a zero-duration operation completes at its start
                chosen = j_star
        k = next_op[chosen]
        m = op_machine[k]
        s0 = max(ready[chosen], mach_free[m])
        start[k] = s0
        ready[chosen] = s0 + op_duration[k]
        mach_free[m] = s0 + op_duration[k]
        rem_work[chosen] -= op_duration[k]
        rem_ops[chosen] -= 1
        next_op[chosen] = k + 1
        done = next_op[chosen] == job_offsets[chosen + 1]
        if nondelay:
            for q in range(qlen[m]):
                if queue[m, q] == chosen:
                    qlen[m] -= 1
                    queue[m, q] = queue[m, qlen[m]]
                    break
            if qlen[m] > 0:
                qmin[m] = ready[queue[m, 0]]
                for q in range(1, qlen[m]):
                    qmin[m] = min(qmin[m], ready[queue[m, q]])
            if not done:
                m2 = op_machine[k + 1]
                qmin[m2] = ready[chosen] if qlen[m2] == 0 else min(qmin[m2], ready[chosen])
                queue[m2, qlen[m2]] = chosen
                qlen[m2] += 1
        elif done:
            for a in range(n_alive):
                if alive[a] == chosen:
                    n_alive -= 1
                    alive[a] = alive[n_alive]
                    break
    return start
