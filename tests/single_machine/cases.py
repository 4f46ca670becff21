"""Single-machine test cases: 30 small generated instances, every objective, some releases."""

from __future__ import annotations

import numpy as np

import schedkit as sk
from schedkit.instances import SingleMachine

OBJECTIVES = SingleMachine.objectives


def small_instances() -> list[SingleMachine]:
    """30 instances, n = 5 … 9, every objective six times, every third one with releases."""
    out = []
    for k in range(30):
        n = 5 + k % 5
        base = sk.generate("single_machine", n=n, seed=100 + k, tf=(0.2, 0.5, 0.8)[k % 3],
                           rdd=(0.2, 0.6, 1.0)[(k // 3) % 3], weighted=k % 4 != 0)
        release = None
        if k % 3 == 2:
            rng = np.random.default_rng(k)
            release = rng.integers(0, int(base.processing.sum()) // 2, size=n)
        weight = base.weight if k % 10 != 4 else np.ones(n, dtype=np.int64)  # unit: ΣUj
        out.append(SingleMachine(processing=base.processing, due=base.due, weight=weight,
                                 release=release, objective=OBJECTIVES[k % 5],
                                 name=f"{base.name}-{OBJECTIVES[k % 5]}"
                                      f"{'-r' if release is not None else ''}"))
    return out


SMALL = small_instances()

