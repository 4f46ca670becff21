"""The sequence-parallel generator: FlexSP's constants, memory budget, length sources, degrees."""

import numpy as np
import pytest

from schedkit.instances.errors import InputError
from schedkit.instances.generators import generate
from schedkit.instances.sequence_parallel.generate import (
    ESTIMATE_PRESETS,
    FLEXSP_BANDWIDTH,
    FLEXSP_PRESETS,
    MAX_SEQUENCES,
    flexsp_bandwidth,
    flexsp_memory_tokens,
)

GRID = {"sequences": 512, "devices": 64}


# --- FlexSP's published constants ----------------------------------------------------------------
@pytest.mark.parametrize(("preset", "a1", "a2", "b1", "L", "h"), [
    ("7b", 5.128e-6, 0.1840, 629.36, 32, 4096),
    ("13b", 9.285e-6, 0.3060, 1132.56, 40, 5120),
    ("30b", 1.543e-5, 0.8036, 2789.36, 60, 6656),
])
def test_flexsp_constants_in_seconds(preset, a1, a2, b1, L, h):
    c = generate("sequence_parallel", preset=preset, devices=64).cost
    # Published in ms; the model counts seconds.
    assert (c.a1, c.a2, c.b1) == (pytest.approx(a1 / 1000), pytest.approx(a2 / 1000),
                                  pytest.approx(b1 / 1000))
    assert c.comm_bytes_per_token == 4 * 2 * L * h * 2
    assert sorted(c.bandwidth) == [2, 4, 8, 16, 32, 64]


@pytest.mark.parametrize("d", [2, 4, 8, 16, 32, 64])
@pytest.mark.parametrize("s", [1, 1000, 393216])
def test_flexsp_sequence_time_reproduced(d, s):
    # FlexSP: (a1 s² + a2 s)/d + (4·2·L·h·s·2 / 2^20 / d) / v_d, all in ms.
    inst = generate("sequence_parallel", preset="7b", devices=64)
    ms = (5.128e-6 * s * s + 0.1840 * s) / d + \
        (4 * 2 * 32 * 4096 * s * 2 / 2**20 / d) / FLEXSP_BANDWIDTH[d]
    assert inst.sequence_time(s, d) == pytest.approx(ms / 1000, rel=1e-12)


@pytest.mark.parametrize(("preset", "N", "C"), [
    # (30·1024 − 16·P·1024/N) / act, by hand: 7b (30720 − 1792)/4.48 = 6457.1
    ("7b", 64, 6457), ("13b", 64, 6490), ("30b", 64, 6736),
    ("7b", 8, 3657),  # (30720 − 14336)/4.48 = 3657.1
])
def test_memory_from_budget(preset, N, C):
    assert flexsp_memory_tokens(preset, N, 30.0) == C
    assert generate("sequence_parallel", preset=preset, devices=N).memory_tokens == C


def test_memory_gb_option():
    inst = generate("sequence_parallel", preset="7b", devices=64, memory_gb=80.0)
    assert inst.memory_tokens == (80 * 1024 - 1792) * 100 // 448
    assert generate("sequence_parallel", devices=64, memory_tokens=1000).memory_tokens == 1000


def test_meta_rebuilds_the_instance():
    inst = generate("sequence_parallel", preset="13b", devices=64, memory_gb=40.0,
                    source="github_like", max_length=196608, degrees="1,2,3,4,8,16,64",
                    seed=5)
    again = generate("sequence_parallel", seed=inst.meta["seed"], **inst.meta["shape"])
    assert again == inst


# --- length sources -------------------------------------------------------------------------------
@pytest.mark.parametrize(("source", "median", "mean"), [
    ("synthetic", (250, 500), (700, 1400)),  # README: Wikipedia median 347, mean 1013.6
    ("github_like", (1500, 2400), (8000, 16000)),
    ("commoncrawl_like", (1000, 1600), (2500, 4500)),
])
def test_synthetic_sources(source, median, mean):
    inst = generate("sequence_parallel", source=source, sequences=20000, devices=64,
                    max_length=393216, seed=1)
    assert median[0] < np.median(inst.lengths) < median[1]
    assert mean[0] < inst.lengths.mean() < mean[1]
    assert inst.lengths.max() <= 393216


def test_long_tail_sources_are_heavier_than_wikipedia():
    def above(source):
        inst = generate("sequence_parallel", source=source, **GRID, max_length=393216, seed=2)
        return float((inst.lengths > 32768).mean())

    assert above("github_like") > above("commoncrawl_like") > above("wikipedia")


@pytest.mark.parametrize("source", ["wikipedia", "synthetic", "github_like"])
def test_max_length_truncates(source):
    inst = generate("sequence_parallel", source=source, sequences=4000, devices=64,
                    max_length=8192, seed=3)
    assert inst.n_sequences == 4000 and inst.lengths.max() == 8192


def test_preset_and_memory_only_change_the_truncation():
    # The draws depend on the source and seed only: the same stream, other clip.
    est = generate("sequence_parallel", preset="7b-est", source="github_like", **GRID, seed=4)
    flex = generate("sequence_parallel", preset="7b", source="github_like", **GRID, seed=4)
    cap = flex.memory_tokens * 64
    assert (flex.lengths == np.minimum(est.lengths, cap)).all()


# --- degrees and bandwidths -----------------------------------------------------------------------
def test_degrees_list_with_non_powers_of_two():
    inst = generate("sequence_parallel", devices=16, degrees="1,3,6,12,16")
    assert inst.degrees.tolist() == [1, 3, 6, 12, 16]
    # A degree FlexSP did not measure takes the next larger measured one's bandwidth.
    for d, measured in ((3, 4), (6, 8), (12, 16)):
        assert inst.cost.bandwidth[d] == pytest.approx(
            FLEXSP_BANDWIDTH[measured] * 1.048576 * (d - 1) / d)
    assert inst.sequence_time(1000, 12) == pytest.approx(
        ((5.128e-6 * 1e6 + 0.184 * 1000) / 12 + (2 * 2**20 * 1000 / 2**20 / 12) / 10.33)
        / 1000)


def test_bandwidths_option():
    inst = generate("sequence_parallel", devices=128, bandwidths="2:100,4:90,8:80,16:9,32:5,"
                    "64:4,128:3")
    assert inst.cost.bandwidth[128] == pytest.approx(flexsp_bandwidth(128, {128: 3.0}))


def test_small_job_sits_in_one_node():
    inst = generate("sequence_parallel", devices=4)
    assert inst.devices_per_node == 4 and sorted(inst.cost.bandwidth) == [2, 4]


# --- the estimate presets ----------------------------------------------------------------------
@pytest.mark.parametrize("preset", list(ESTIMATE_PRESETS))
@pytest.mark.parametrize("source", ["wikipedia", "synthetic"])
def test_estimate_lengths_within_memory(preset, source):
    inst = generate("sequence_parallel", preset=preset, source=source, sequences=2000,
                    devices=4, seed=3)
    assert inst.memory_tokens == ESTIMATE_PRESETS[preset]["memory_tokens"]
    assert inst.degrees.tolist() == [1, 2, 4]
    assert 1 <= inst.lengths.min() and inst.lengths.max() <= inst.memory_tokens * 4


def test_estimate_cost_derivation():
    inst = generate("sequence_parallel", preset="13b-est", devices=32, devices_per_node=8)
    L, h, N = 40, 5120, 13e9
    flops = 312e12 * 0.5
    c = inst.cost
    assert c.a1 == pytest.approx(12 * L * h / flops, rel=1e-5)
    assert c.a2 == pytest.approx(6 * N / flops, rel=1e-5)
    assert c.comm_bytes_per_token == 16 * L * h
    assert c.bandwidth == {2: 150, 4: 150, 8: 150, 16: 20, 32: 20}
    assert c.b1 == 0.005


def test_estimate_clips_not_drops():
    inst = generate("sequence_parallel", preset="30b-est", sequences=2000, devices=1, seed=3)
    assert inst.n_sequences == 2000 and inst.lengths.max() == 8192


# --- bad options: one line naming the option ------------------------------------------------------
@pytest.mark.parametrize(("shape", "field", "words"), [
    ({"sequences": MAX_SEQUENCES + 1}, "generate.sequences", "size cap"),
    ({"devices": 2**20 + 1}, "generate.devices", "size cap"),
    ({"memory_tokens": 2**53}, "generate.memory_tokens", "exact"),
    ({"degrees": "1,2,32", "devices": 16}, "generate.degrees", "degree 32 is above devices=16"),
    ({"degrees": "1,4,2"}, "generate.degrees", "increasing"),
    ({"degrees": "1,two"}, "generate.degrees", "positive integers"),
    ({"devices": 128}, "generate.bandwidths", "no all-to-all bandwidth for degree 128"),
    ({"devices": 16, "bandwidths": "2:100,4:90,8:80"}, "generate.bandwidths",
     "no bandwidth for allowed degree 16"),
    ({"bandwidths": "2=100"}, "generate.bandwidths", "degree:GB/s"),
    ({"bandwidths": "2:-1"}, "generate.bandwidths", "positive number"),
    ({"devices": 16, "devices_per_node": 4}, "generate.devices_per_node", "8 devices per node"),
    ({"preset": "30b", "devices": 16}, "generate.memory_gb", "no room for activations"),
    ({"memory_gb": 40.0, "memory_tokens": 100}, "generate.memory_gb", "not both"),
    ({"devices": 16, "max_length": 393216}, "generate.max_length",
     "exceed what the largest group holds"),
    ({"mfu": 0.4}, "generate.mfu", "only to the estimate presets"),
    ({"preset": "7b-est", "memory_gb": 30.0}, "generate.memory_gb", "only to the FlexSP"),
    ({"preset": "7b-est", "bandwidths": "2:100"}, "generate.bandwidths", "only to the FlexSP"),
    ({"source": "github"}, "generate.source", "github_like"),
    ({"preset": "7b-est", "mfu": 1e-300}, "generate.mfu", ""),
    ({"preset": "7b-est", "peak_tflops": 1e-300}, "generate.peak_tflops", ""),
    ({"preset": "7b-est", "group_overhead": 1e299}, "generate.group_overhead", ""),
    ({"preset": "7b-est", "inter_bandwidth": 1e-300}, "generate.inter_bandwidth", ""),
    ({"preset": "7b-est", "intra_bandwidth": 1e-300, "devices": 8},
     "generate.intra_bandwidth", ""),
])
def test_bad_options(shape, field, words):
    with pytest.raises(InputError) as err:
        generate("sequence_parallel", **shape)
    assert err.value.field == field, err.value
    assert words in str(err.value)
    assert "\n" not in str(err.value)


def test_presets_cover_flexsp_sizes():
    assert set(FLEXSP_PRESETS) == {"7b", "13b", "30b"}
