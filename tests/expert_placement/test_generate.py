"""The expert-placement generator: loads, traffic and the model presets."""

import numpy as np
import pytest

from schedkit.instances.errors import InputError
from schedkit.instances.expert_placement.generate import EXPERT_PRESETS, MAX_LOADS, MAX_TRAFFIC
from schedkit.instances.generators import generate


@pytest.mark.parametrize("skew", ["dirichlet", "zipf"])
def test_expert_loads_and_traffic(skew):
    inst = generate("expert_placement", preset="mixtral", skew=skew, affinity=0.8,
                    objective="load_and_traffic", seed=4)
    T, k = EXPERT_PRESETS["mixtral"]["tokens"], EXPERT_PRESETS["mixtral"]["top_k"]
    assert (inst.load.sum(axis=1) == T * k).all()
    assert inst.traffic.shape == (inst.n_layers - 1, 8, 8)
    assert (inst.traffic.sum(axis=2) == inst.load[:-1]).all()
    # load_and_traffic: no replication by default (R = E).
    assert inst.slots == inst.n_experts
    # With affinity 0.8 each expert sends most of its tokens to a few next-layer experts.
    top = np.sort(inst.traffic, axis=2)[:, :, -k:].sum(axis=2)
    assert top.sum() > 0.6 * inst.traffic.sum()


def test_expert_presets():
    ds = generate("expert_placement", preset="deepseek-v3", seed=1)
    assert ds.n_experts == 256 and ds.gpus == 32 and ds.gpus_per_node == 8
    assert ds.n_layers == 4 and ds.slots_per_gpu == 9 and ds.traffic is None
    assert ds.meta["shape"]["top_k"] == 8
    # Top-k routing: no expert gets more than 1/k of the assignments in expectation.
    assert ds.load.max() < 1.5 * ds.load.sum(axis=1).max() / 8
    small = generate("expert_placement", preset="deepseek-v3", gpus=4, layers=2, seed=1)
    assert small.gpus_per_node == 4 and small.slots_per_gpu == 65
    mx = generate("expert_placement", preset="mixtral")
    assert mx.n_experts == 8 and mx.meta["shape"]["top_k"] == 2


def test_expert_groups_and_costs():
    inst = generate("expert_placement", experts=16, groups=4, inter_node=10.0)
    assert inst.groups == 4 and inst.inter_node == 10


# --- size caps ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("shape", "field"), [
    ({"layers": MAX_LOADS // 100 + 1, "experts": 100}, "generate.layers"),
    ({"layers": 2, "experts": int(MAX_TRAFFIC ** 0.5) + 1, "traffic": True}, "generate.experts"),
    ({"gpus": 8193}, "generate.gpus"),
    ({"tokens": 2**60}, "generate.tokens"),
    ({"traffic": True, "inter_node": 1e300}, "generate.inter_node"),
])
def test_expert_placement_caps(shape, field):
    with pytest.raises(InputError) as err:
        generate("expert_placement", **shape)
    assert err.value.field == field, err.value


def test_traffic_cap_only_counts_when_traffic_is_drawn():
    # Without traffic the same shape is only (layers x experts) loads.
    inst = generate("expert_placement", layers=2, experts=int(MAX_TRAFFIC ** 0.5) + 1,
                    gpus=8, top_k=2, tokens=64, seed=1)
    assert inst.traffic is None
