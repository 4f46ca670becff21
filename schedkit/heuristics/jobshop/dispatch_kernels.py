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


#: The key of a machine with an empty queue: above every time (times stay below 2**53).
_NONE = 2**62


@njit(cache=True, inline="always")
def _static_score(rule: int, p: int, rem_work: int, rem_ops: int, ready: int, due: int,
                  noise: float) -> float:
    """Priority of a job's next operation under every rule but ATC (the highest score is
    chosen): of its duration ``p``, the job's remaining work and operations (this operation
    included), its ready time and due date, and the operation's random priority. Scalars only:
    the kernel calls it once per operation, and array arguments would cost a reference count
    each."""
    if rule == 0:
        return -float(p)
    if rule == 1:
        return float(p)
    if rule == 2:
        return float(rem_work)
    if rule == 3:
        return -float(rem_work)
    if rule == 4:
        return float(rem_ops)
    if rule == 5:
        return -float(ready)
    if rule == 6:
        return -float(due)
    return noise


@njit(cache=True, inline="always")
def _atc_score(p: int, weight: int, due: int, t: int, rem_work: int, atc_k: float,
               mean_p: float) -> float:
    """ATC priority at time ``t``: (w / p) * exp(-max(0, slack) / (k * mean p)), slack = due -
    now - work left (Vepsalainen & Morton 1987)."""
    slack = float(due) - float(t) - float(rem_work)
    if slack < 0.0:
        slack = 0.0
    return (float(weight) / max(float(p), 1e-9)) * np.exp(-slack / (atc_k * mean_p))


@njit(cache=True)
def _queue_offsets(job_offsets: np.ndarray, op_machine: np.ndarray,
                   machines: int) -> np.ndarray:
    """Start of each machine's queue in one flat array: machine ``m`` gets room for
    min(jobs, operations on ``m``) entries (a job waits in at most one queue, for the machine of
    its next operation), so the queues take O(operations) memory, not O(machines × jobs)."""
    n = job_offsets.shape[0] - 1
    count = np.zeros(machines, dtype=np.int64)
    for k in range(op_machine.shape[0]):
        count[op_machine[k]] += 1
    qoff = np.zeros(machines + 1, dtype=np.int64)
    for m in range(machines):
        qoff[m + 1] = qoff[m] + min(count[m], n)
    return qoff


@njit(cache=True)
def _nondelay_rounds(start: np.ndarray, next_op: np.ndarray, ready: np.ndarray,
                     mach_free: np.ndarray, rem_work: np.ndarray, rem_ops: np.ndarray,
                     job_offsets: np.ndarray, op_machine: np.ndarray, op_duration: np.ndarray,
                     due: np.ndarray, weight: np.ndarray, noise: np.ndarray, rule: int,
                     atc_k: float, mean_p: float, qoff: np.ndarray, qjob: np.ndarray,
                     qready: np.ndarray, qscore: np.ndarray, qlen: np.ndarray,
                     qmin: np.ndarray, key: np.ndarray) -> None:
    """Non-delay schedule generation when machines that can start at the same time t* do not
    interact (positive durations, scores never NaN; see :func:`gt_dispatch`): each of them
    gets its best ready job at t*, so one pass over the machines serves all of them, and the
    next t* is found once per distinct start time instead of once per operation. Fills
    ``start`` (and updates the state arrays) in place."""
    machines = mach_free.shape[0]
    total = op_machine.shape[0]
    static = rule != 7
    scheduled = 0
    while scheduled < total:
        t = key[0]
        for m in range(1, machines):
            t = min(t, key[m])
        for m in range(machines):
            # Serving a machine keeps it busy past t and sends its job to a queue where it is
            # ready after t: the machines whose key is t are exactly those at the pass start.
            if key[m] != t:
                continue
            chosen = -1
            at = -1
            best_score = 0.0
            # The two smallest ready times in the queue, and where the smallest is: the
            # smallest of the others once the chosen job has left.
            low1 = _NONE
            low1_at = -1
            low2 = _NONE
            for p in range(qoff[m], qoff[m] + qlen[m]):
                r = qready[p]
                if r < low1:
                    low2 = low1
                    low1 = r
                    low1_at = p
                elif r < low2:
                    low2 = r
                if r > t:
                    continue
                j = qjob[p]
                if static:
                    sc = qscore[p]
                else:
                    sc = _atc_score(op_duration[next_op[j]], weight[j], due[j], t,
                                    rem_work[j], atc_k, mean_p)
                if chosen < 0 or sc > best_score or (sc == best_score and j < chosen):
                    chosen = j
                    best_score = sc
                    at = p
            low = low2 if at == low1_at else low1
            k = next_op[chosen]
            d = op_duration[k]
            start[k] = t
            ready[chosen] = t + d
            mach_free[m] = t + d
            rem_work[chosen] -= d
            rem_ops[chosen] -= 1
            next_op[chosen] = k + 1
            scheduled += 1
            qlen[m] -= 1
            last = qoff[m] + qlen[m]
            qjob[at] = qjob[last]
            qready[at] = qready[last]
            qscore[at] = qscore[last]
            qmin[m] = low
            key[m] = max(low, t + d) if qlen[m] > 0 else _NONE
            if k + 1 < job_offsets[chosen + 1]:
                k2 = k + 1
                m2 = op_machine[k2]
                p = qoff[m2] + qlen[m2]
                qjob[p] = chosen
                qready[p] = t + d
                if static:
                    qscore[p] = _static_score(rule, op_duration[k2], rem_work[chosen],
                                              rem_ops[chosen], t + d, due[chosen],
                                              noise[k2] if rule == 8 else 0.0)
                if qlen[m2] == 0 or t + d < qmin[m2]:
                    qmin[m2] = t + d
                key[m2] = max(qmin[m2], mach_free[m2])
                qlen[m2] += 1


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

    Notes
    -----
    Both modes keep, per machine, a queue of the jobs whose next operation needs it, so a step
    costs O(machines + one or a few queues) instead of O(jobs). A queued job's ready time,
    remaining work and remaining operations cannot change until it is scheduled (and leaves the
    queue), so every rule but ATC (which depends on the clock) is scored once, when the job
    joins the queue, and each queue's smallest ready time (non-delay) or earliest completion
    (active) is kept up to date incrementally: only the queue of the machine that was just used
    is rescanned.

    Non-delay mode with positive durations and scores that cannot be NaN (every rule but ATC
    with a look-ahead k <= 0) runs by rounds (:func:`_nondelay_rounds`): the machines that can
    start at t* do not interact, since scheduling the best job of one of them keeps that
    machine busy past t*, sends the job to a queue where it is ready only after t*, and changes
    no other job's score. Each of them so gets its own best job at t* whatever the order in
    which they are served, and the start times are those of the step-by-step definition.
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
    static = rule != 7  # every rule but ATC scores a queued job the same at any time
    # ATC with a look-ahead k <= 0 (or NaN) can score NaN, and then the choice depends on the
    # order in which candidates are compared; active mode then compares them in the order of
    # the list of unfinished jobs (compacted by swap-removal), as it always has.
    nan_order = rule == 7 and not atc_k > 0.0
    # Whether the machines that can start at the same time never interact (see the notes).
    independent = not nan_order and (total == 0 or op_duration.min() > 0) and \
        not (rule == 8 and np.isnan(noise).any())
    alive = np.arange(n)
    n_alive = n
    # The queues: job, its ready time, the duration of its next operation and its static score,
    # flat, machine m's at qoff[m] .. qoff[m] + qlen[m] - 1. Entries are removed by moving the
    # last one into the gap and appended at the end (as the queues of the non-delay mode always
    # were): the order of a queue is the order in which candidates are compared, which matters
    # for NaN scores only.
    qoff = _queue_offsets(job_offsets, op_machine, machines)
    size = qoff[machines]
    qjob = np.zeros(size, dtype=np.int64)
    qready = np.zeros(size, dtype=np.int64)
    qdur = np.zeros(size, dtype=np.int64)
    qscore = np.zeros(size, dtype=np.float64)
    qlen = np.zeros(machines, dtype=np.int64)
    # Per machine, ``key``: non-delay, the earliest start on it (max of its free time and the
    # smallest ready time in its queue); active, the earliest completion of a queued job, ``cj``
    # the lowest job reaching it and ``cpos`` its position. _NONE for an empty queue, so a step
    # finds t* (C*) in one branch-free pass. ``qmin``: the smallest ready time in a queue.
    key = np.full(machines, _NONE, dtype=np.int64)
    qmin = np.zeros(machines, dtype=np.int64)
    cj = np.zeros(machines, dtype=np.int64)
    cpos = np.zeros(machines, dtype=np.int64)
    for j in range(n):
        k = job_offsets[j]
        m = op_machine[k]
        p = qoff[m] + qlen[m]
        qjob[p] = j
        qready[p] = ready[j]
        qdur[p] = op_duration[k]
        if static:
            qscore[p] = _static_score(rule, op_duration[k], rem_work[j], rem_ops[j], ready[j],
                                      due[j], noise[k] if rule == 8 else 0.0)
        if qlen[m] == 0 or ready[j] < qmin[m]:
            qmin[m] = ready[j]
        c = ready[j] + op_duration[k]  # machines are free at 0
        if qlen[m] == 0 or c < key[m]:  # jobs come in index order: a tie keeps the first
            key[m] = c
            cj[m] = j
            cpos[m] = p
        qlen[m] += 1
    if nondelay:
        for m in range(machines):
            key[m] = qmin[m] if qlen[m] > 0 else _NONE
        if independent:
            _nondelay_rounds(start, next_op, ready, mach_free, rem_work, rem_ops, job_offsets,
                             op_machine, op_duration, due, weight, noise, rule, atc_k, mean_p,
                             qoff, qjob, qready, qscore, qlen, qmin, key)
            return start
    for _ in range(total):
        chosen = -1
        at = -1  # the chosen job's position in its queue
        best_score = 0.0
        if nondelay:
            t_star = key[0]
            first = 0
            for m in range(1, machines):
                if key[m] < t_star:
                    t_star = key[m]
                    first = m
            # Every machine that can start at t* (none before ``first``) is searched for the
            # best job over all of them, as the definition says.
            for m in range(first, machines):
                # max(free, smallest ready) == t*: the machine is free at t* and a job is ready
                if key[m] != t_star:
                    continue
                for p in range(qoff[m], qoff[m] + qlen[m]):
                    if qready[p] > t_star:
                        continue
                    j = qjob[p]
                    if static:
                        sc = qscore[p]
                    else:
                        sc = _atc_score(op_duration[next_op[j]], weight[j], due[j], t_star,
                                        rem_work[j], atc_k, mean_p)
                    if chosen < 0 or sc > best_score or (sc == best_score and j < chosen):
                        chosen = j
                        best_score = sc
                        at = p
        else:
            # Earliest completion C* over all schedulable operations (the lowest job on a
            # tie), and its machine m*.
            c_star = key[0]
            j_star = cj[0]
            m_star = 0
            for m in range(1, machines):
                if key[m] < c_star or (key[m] == c_star and cj[m] < j_star):
                    c_star = key[m]
                    j_star = cj[m]
                    m_star = m
            free = mach_free[m_star]
            if nan_order:
                for a in range(n_alive):
                    j = alive[a]
                    k = next_op[j]
                    if op_machine[k] != m_star:
                        continue
                    e = max(ready[j], free)
                    if e >= c_star:
                        continue
                    sc = _atc_score(op_duration[k], weight[j], due[j], e, rem_work[j], atc_k,
                                    mean_p)
                    if chosen < 0 or sc > best_score or (sc == best_score and j < chosen):
                        chosen = j
                        best_score = sc
                if chosen >= 0:
                    for p in range(qoff[m_star], qoff[m_star] + qlen[m_star]):
                        if qjob[p] == chosen:
                            at = p
                            break
            else:
                for p in range(qoff[m_star], qoff[m_star] + qlen[m_star]):
                    e = max(qready[p], free)
                    if e >= c_star:
                        continue
                    j = qjob[p]
                    if static:
                        sc = qscore[p]
                    else:
                        sc = _atc_score(op_duration[next_op[j]], weight[j], due[j], e,
                                        rem_work[j], atc_k, mean_p)
                    if chosen < 0 or sc > best_score or (sc == best_score and j < chosen):
                        chosen = j
                        best_score = sc
                        at = p
            if chosen < 0:  # only a zero-duration operation completes at its start
                chosen = j_star
                at = cpos[m_star]
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
        # Leave machine m's queue, then refresh its summary (its free time changed too).
        qlen[m] -= 1
        last = qoff[m] + qlen[m]
        qjob[at] = qjob[last]
        qready[at] = qready[last]
        qdur[at] = qdur[last]
        qscore[at] = qscore[last]
        free = mach_free[m]
        key[m] = _NONE
        if nondelay:
            if qlen[m] > 0:
                low = qready[qoff[m]]
                for p in range(qoff[m] + 1, qoff[m] + qlen[m]):
                    low = min(low, qready[p])
                qmin[m] = low
                key[m] = max(low, free)
        else:
            for p in range(qoff[m], qoff[m] + qlen[m]):
                c = max(qready[p], free) + qdur[p]
                j = qjob[p]
                if c < key[m] or (c == key[m] and j < cj[m]):
                    key[m] = c
                    cj[m] = j
                    cpos[m] = p
        if not done:
            # Join the queue of the next operation's machine.
            k2 = k + 1
            m2 = op_machine[k2]
            p = qoff[m2] + qlen[m2]
            qjob[p] = chosen
            qready[p] = ready[chosen]
            qdur[p] = op_duration[k2]
            if static:
                qscore[p] = _static_score(rule, op_duration[k2], rem_work[chosen],
                                          rem_ops[chosen], ready[chosen], due[chosen],
                                          noise[k2] if rule == 8 else 0.0)
            if nondelay:
                if qlen[m2] == 0 or ready[chosen] < qmin[m2]:
                    qmin[m2] = ready[chosen]
                key[m2] = max(qmin[m2], mach_free[m2])
            else:
                c = max(ready[chosen], mach_free[m2]) + op_duration[k2]
                if c < key[m2] or (c == key[m2] and chosen < cj[m2]):
                    key[m2] = c
                    cj[m2] = chosen
                    cpos[m2] = p
            qlen[m2] += 1
        elif nan_order:
            for a in range(n_alive):
                if alive[a] == chosen:
                    n_alive -= 1
                    alive[a] = alive[n_alive]
                    break
    return start
