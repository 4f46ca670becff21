"""The DAG generator: communication-to-computation ratio and the layered structure."""

import math

import numpy as np
import pytest

from schedkit.instances.dag.generate import realised_ccr
from schedkit.instances.generators import generate


@pytest.mark.parametrize("ccr", [0.1, 1.0, 5.0])
def test_dag_realised_ccr(ccr):
    inst = generate("dag", tasks=200, ccr=ccr, seed=1)
    assert abs(realised_ccr(inst) / ccr - 1) <= 0.2


def test_dag_zero_ccr_and_identical_processors():
    inst = generate("dag", tasks=50, ccr=0.0, heterogeneity=0.0, seed=2)
    assert (inst.edge_data == 0).all()
    assert inst.identical()


@pytest.mark.parametrize(("tasks", "alpha"), [(100, 1.0), (100, 0.5), (64, 2.0), (1, 1.0)])
def test_dag_structure(tasks, alpha):
    inst = generate("dag", tasks=tasks, alpha=alpha, seed=5)
    edges = inst.edges
    assert (edges[:, 0] < edges[:, 1]).all()  # tasks are numbered level by level
    height = max(1, min(tasks, math.floor(math.sqrt(tasks) / alpha + 0.5)))
    depth = np.zeros(tasks, dtype=np.int64)
    for u, v in edges.tolist():  # sorted by u, so depth[u] is final when u is reached
        depth[v] = max(depth[v], depth[u] + 1)
    assert depth.max() + 1 == height
    has_pred = np.zeros(tasks, dtype=bool)
    has_pred[edges[:, 1]] = True
    # Only tasks of the first level have no predecessor.
    assert (~has_pred).sum() == (depth == 0).sum()
    assert inst.cost.min() >= 1 and (inst.cost == np.round(inst.cost)).all()
    assert (inst.edge_data == np.round(inst.edge_data)).all()
