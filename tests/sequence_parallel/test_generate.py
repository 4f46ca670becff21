"""The sequence-parallel generator: sequence lengths and the FlexSP cost model."""

import numpy as np
import pytest

from schedkit.instances.errors import InputError
from schedkit.instances.generators import generate
from schedkit.instances.sequence_parallel.generate import MAX_SEQUENCES, SP_PRESETS


@pytest.mark.parametrize("preset", list(SP_PRESETS))
@pytest.mark.parametrize("source", ["wikipedia", "synthetic"])
def test_sp_lengths_within_memory(preset, source):
    inst = generate("sequence_parallel", preset=preset, source=source, sequences=2000,
                    devices=4, seed=3)
    assert inst.memory_tokens == SP_PRESETS[preset]["memory_tokens"]
    assert inst.degrees.tolist() == [1, 2, 4]
    assert inst.lengths.min() >= 1
    assert inst.lengths.max() <= inst.memory_tokens * inst.degrees[-1]


@pytest.mark.parametrize("source", ["wikipedia", "synthetic"])
def test_sp_lengths_are_clipped_not_dropped(source):
    # One 30B device holds 8192 tokens; ~1-2 % of documents are longer and must be clipped.
    inst = generate("sequence_parallel", preset="30b", source=source, sequences=2000,
                    devices=1, seed=3)
    assert inst.n_sequences == 2000
    assert inst.lengths.max() == 8192


def test_sp_cost_derivation():
    inst = generate("sequence_parallel", preset="13b", devices=32, devices_per_node=8)
    L, h, N = 40, 5120, 13e9
    flops = 312e12 * 0.5
    c = inst.cost
    assert c.a1 == pytest.approx(12 * L * h / flops, rel=1e-5)
    assert c.a2 == pytest.approx(6 * N / flops, rel=1e-5)
    assert c.comm_bytes_per_token == 16 * L * h
    assert c.bandwidth == {2: 150, 4: 150, 8: 150, 16: 20, 32: 20}
    assert c.b1 == 0.005
    assert inst.degrees.tolist() == [1, 2, 4, 8, 16, 32]


def test_sp_small_job_sits_in_one_node():
    inst = generate("sequence_parallel", devices=4)
    assert inst.devices_per_node == 4 and inst.cost.bandwidth == {2: 150, 4: 150}


def test_sp_synthetic_resembles_wikipedia():
    syn = generate("sequence_parallel", source="synthetic", sequences=20000, seed=1)
    # README: median 347, mean 1013.6 (the clip at 16·24576 tokens barely matters).
    assert 250 < np.median(syn.lengths) < 500
    assert 700 < syn.lengths.mean() < 1400


# --- size caps and options the model's caps refuse ------------------------------------------------
@pytest.mark.parametrize(("shape", "field"), [
    ({"sequences": MAX_SEQUENCES + 1}, "generate.sequences"),
    ({"devices": 2**20 + 1}, "generate.devices"),
    ({"memory_tokens": 2**53}, "generate.memory_tokens"),
    ({"mfu": 1e-300}, "generate.mfu"),
    ({"peak_tflops": 1e-300}, "generate.peak_tflops"),
    ({"group_overhead": 1e299}, "generate.group_overhead"),
    ({"inter_bandwidth": 1e-300}, "generate.inter_bandwidth"),
    ({"intra_bandwidth": 1e-300, "devices": 8}, "generate.intra_bandwidth"),
])
def test_sequence_parallel_caps(shape, field):
    with pytest.raises(InputError) as err:
        generate("sequence_parallel", **shape)
    assert err.value.field == field, err.value
