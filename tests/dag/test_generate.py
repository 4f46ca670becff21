"""The DAG generator: communication-to-computation ratio and the layered structure."""

import math

import numpy as np
import pytest

from schedkit.instances.dag.generate import MAX_EDGES, MAX_TASKS, realised_ccr
from schedkit.instances.dag.model import MAX_COST_ENTRIES
from schedkit.instances.errors import InputError
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


# --- size caps ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("shape", "field"), [
    ({"tasks": MAX_TASKS + 1}, "generate.tasks"),
    ({"tasks": 10**4, "processors": MAX_COST_ENTRIES // 10**4 + 1}, "generate.processors"),
    ({"tasks": 10**5, "out_degree": MAX_EDGES // (2 * 10**5) + 1}, "generate.out_degree"),
    ({"mean_cost": 2**50 + 1}, "generate.mean_cost"),
    ({"ccr": 1e300}, "generate.ccr"),
])
def test_dag_caps(shape, field):
    with pytest.raises(InputError) as err:
        generate("dag", **shape)
    assert err.value.field == field


def test_dag_edge_bound_counts_complete_graphs():
    # min(v(v-1)/2, 2·v·out_degree): a complete small DAG is not refused for its out-degree.
    inst = generate("dag", tasks=40, out_degree=10**6, seed=1)
    assert inst.edges.shape[0] <= 40 * 39 // 2


def test_dag_largest_mean_cost_stays_exact():
    inst = generate("dag", tasks=20, mean_cost=2**50, seed=3)
    assert (inst.cost == np.round(inst.cost)).all() and inst.cost.max() <= 2**52
