"""Tests of the seeded instance generators (schedkit.instances.generators)."""

import hashlib
import inspect
import json
import math
import os
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

from schedkit.instances import InputError
from schedkit.instances.datadir import data_dir
from schedkit.instances.generators import (
    EXPERT_PRESETS,
    GENERATORS,
    SP_PRESETS,
    TaillardLCG,
    generate,
    options,
    realised_ccr,
)
from schedkit.instances.jsonio import instance_from_json, instance_to_json

# Small shapes so that the whole file stays fast.
SMALL = {
    "jobshop": {"jobs": 6, "machines": 4},
    "single_machine": {"n": 12},
    "dag": {"tasks": 30, "processors": 3},
    "expert_placement": {"layers": 3, "experts": 8, "gpus": 4, "gpus_per_node": 2,
                         "tokens": 256, "traffic": True},
    "sequence_parallel": {"sequences": 16, "devices": 8},
}
PROBLEMS = list(GENERATORS)

# Taillard (1993), Table of 15x15 job-shop instances: (time seed, machine seed) of ta01..ta10.
TAILLARD_15X15 = [
    (840612802, 398197754), (1314640371, 386720536), (1227221349, 316176388),
    (342269428, 1806358582), (1603221416, 1501949241), (1357584978, 1734077082),
    (44531661, 1374316395), (302545136, 2092186050), (1153780144, 1393392374),
    (73896786, 1544979948),
]


def _text(problem, seed, **extra):
    return instance_to_json(generate(problem, seed=seed, **{**SMALL[problem], **extra}))


def _sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def test_generators_cover_every_problem():
    from schedkit.instances.model import PROBLEMS as MODEL_PROBLEMS

    assert set(GENERATORS) == set(MODEL_PROBLEMS)


# --- determinism and JSON ------------------------------------------------------------------
@pytest.mark.parametrize("problem", PROBLEMS)
def test_round_trip_json(problem):
    for seed in range(20):
        inst = generate(problem, seed=seed, **SMALL[problem])
        text = instance_to_json(inst)
        back = instance_from_json(text)
        assert back == inst
        assert instance_to_json(back) == text


@pytest.mark.parametrize("problem", PROBLEMS)
def test_same_seed_same_bytes(problem):
    assert _text(problem, 7) == _text(problem, 7)


@pytest.mark.parametrize("problem", PROBLEMS)
def test_different_seeds_differ(problem):
    texts = {_text(problem, seed) for seed in range(5)}
    datas = {json.dumps(json.loads(t)["data"]) for t in texts}
    assert len(datas) == 5


@pytest.mark.parametrize("problem", PROBLEMS)
def test_meta_rebuilds_the_instance(problem):
    inst = generate(problem, seed=3, **SMALL[problem])
    meta = inst.meta
    assert meta["generator"].startswith(f"schedkit.instances.generators.{problem}@")
    assert meta["seed"] == 3
    # meta.shape holds every option (resolved), so it alone rebuilds the instance.
    assert set(meta["shape"]) == {o.name for o in options(problem)}
    assert generate(problem, seed=meta["seed"], **meta["shape"]) == inst


@pytest.mark.parametrize("problem", PROBLEMS)
def test_default_shapes_are_valid(problem):
    inst = GENERATORS[problem]()
    assert inst.problem == problem
    assert inst.name.endswith("-s0")


def test_same_bytes_in_another_process():
    # Catches any dependence on hash randomisation or on process state.
    code = (
        "import hashlib, json, sys\n"
        "from schedkit.instances.generators import generate\n"
        "from schedkit.instances.jsonio import instance_to_json\n"
        "shapes = json.loads(sys.argv[1])\n"
        "print(json.dumps({p: hashlib.sha256(instance_to_json(generate(p, seed=11, **s))"
        ".encode()).hexdigest() for p, s in shapes.items()}))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code, json.dumps(SMALL)], env=env,
                         capture_output=True, text=True, check=True)
    theirs = json.loads(out.stdout)
    assert theirs == {p: _sha(_text(p, 11)) for p in PROBLEMS}


# --- option errors -------------------------------------------------------------------------
@pytest.mark.parametrize("problem", PROBLEMS)
def test_unknown_option_is_an_input_error(problem):
    with pytest.raises(InputError) as err:
        generate(problem, seed=0, bogus=1)
    assert err.value.field == "generate.bogus"
    accepted = [o.name for o in options(problem)]
    assert all(name in str(err.value) for name in accepted)


def test_unknown_problem():
    with pytest.raises(InputError) as err:
        generate("flowshop")
    assert err.value.field == "generate.problem"
    assert "jobshop" in str(err.value)


def test_problem_name_with_hyphen():
    assert generate("single-machine", n=5).problem == "single_machine"


@pytest.mark.parametrize(("problem", "shape", "field"), [
    ("jobshop", {"jobs": 0}, "generate.jobs"),
    ("jobshop", {"high": 0, "low": 5}, "generate.high"),
    ("jobshop", {"objective": "lateness"}, "generate.objective"),
    ("jobshop", {"due_dates": 1}, "generate.due_dates"),
    ("jobshop", {"time_seed": 2**31}, "generate.time_seed"),
    ("single_machine", {"tf": 1.5}, "generate.tf"),
    ("single_machine", {"n": 2.5}, "generate.n"),
    ("dag", {"heterogeneity": 3.0}, "generate.heterogeneity"),
    ("dag", {"alpha": 0.0}, "generate.alpha"),
    ("dag", {"processors": "four"}, "generate.processors"),
    ("expert_placement", {"skew": "pareto"}, "generate.skew"),
    ("expert_placement", {"preset": "gpt4"}, "generate.preset"),
    ("expert_placement", {"experts": 16, "gpus": 2, "slots_per_gpu": 4},
     "generate.slots_per_gpu"),
    ("expert_placement", {"top_k": 20}, "generate.top_k"),
    ("expert_placement", {"gpus": 6, "gpus_per_node": 4}, "generate.gpus_per_node"),
    ("expert_placement", {"layers": 1, "objective": "load_and_traffic"}, "generate.layers"),
    ("sequence_parallel", {"source": "github"}, "generate.source"),
    ("sequence_parallel", {"mfu": 1.5}, "generate.mfu"),
    ("sequence_parallel", {"devices": 12, "devices_per_node": 8},
     "generate.devices_per_node"),
])
def test_bad_option_value(problem, shape, field):
    with pytest.raises(InputError) as err:
        generate(problem, **shape)
    assert err.value.field == field


def test_bad_seed():
    with pytest.raises(InputError) as err:
        generate("dag", seed=-1)
    assert err.value.field == "generate.seed"


@pytest.mark.parametrize("problem", PROBLEMS)
def test_options_are_cli_friendly(problem):
    sig = inspect.signature(GENERATORS[problem])
    assert sig.parameters["seed"].default == 0
    for opt in options(problem):
        assert opt.type in (int, float, str, bool), opt
        assert type(opt.default) is opt.type, opt
        assert opt.help, f"{opt.name} has no numpydoc description"
        if opt.choices is not None:
            assert opt.type is str and opt.default in opt.choices


# --- job shop ------------------------------------------------------------------------------
def _standard_file(name):
    tokens = [int(x) for x in (data_dir() / "jobshop" / "standard" / name).read_text().split()]
    n, m = tokens[:2]
    pairs = np.array(tokens[2:], dtype=np.int64).reshape(n, m, 2)
    return n, m, pairs


@pytest.mark.parametrize("k", range(1, 11))
def test_taillard_reproduces_published_instances(k):
    n, m, pairs = _standard_file(f"ta{k:02d}js.txt")
    time_seed, machine_seed = TAILLARD_15X15[k - 1]
    inst = generate("jobshop", jobs=n, machines=m, time_seed=time_seed,
                    machine_seed=machine_seed)
    assert inst.name == f"js-15x15-t{time_seed}-m{machine_seed}"
    for j in range(n):
        assert inst.route(j) == [tuple(p) for p in pairs[j].tolist()]


def test_taillard_lcg_schrage_matches_direct_modulus():
    gen, x = TaillardLCG(840612802), 840612802
    for _ in range(1000):
        gen.unif(1, 99)
        x = 16807 * x % (2**31 - 1)
        assert gen.state == x


def test_jobshop_every_job_visits_every_machine():
    inst = generate("jobshop", jobs=20, machines=7, seed=4)
    for j in range(inst.n_jobs):
        assert sorted(m for m, _ in inst.route(j)) == list(range(7))
    assert 1 <= inst.op_duration.min() and inst.op_duration.max() <= 99
    assert inst.due is None and (inst.weight == 1).all()


def test_jobshop_due_dates_and_weights():
    inst = generate("jobshop", jobs=30, machines=5, seed=2, max_release=50,
                    objective="total_weighted_tardiness", due_factor=1.5)
    for j in range(inst.n_jobs):
        work = sum(d for _, d in inst.route(j))
        assert inst.due[j] == inst.release[j] + math.floor(1.5 * work + 0.5)
    assert inst.weight.min() >= 1 and inst.weight.max() <= 10 and len(set(inst.weight)) > 1
    assert inst.release.max() <= 50
    plain = generate("jobshop", jobs=30, machines=5, seed=2, max_release=50,
                     objective="total_weighted_tardiness", weighted=False)
    assert (plain.weight == 1).all()
    assert (plain.op_duration == inst.op_duration).all()


# --- single machine ------------------------------------------------------------------------
@pytest.mark.parametrize(("tf", "rdd"), [(0.2, 0.2), (0.6, 0.6), (1.0, 1.0), (0.8, 0.4)])
def test_single_machine_due_date_range(tf, rdd):
    lows, highs = [], []
    for seed in range(10):
        inst = generate("single_machine", n=100, tf=tf, rdd=rdd, seed=seed)
        P = int(inst.processing.sum())
        t, r = Fraction(str(tf)), Fraction(str(rdd))
        # the interval's ends rounded to nearest (halves up), as the generator documents
        lo = max(math.floor(P * (1 - t - r / 2) + Fraction(1, 2)), 0)
        hi = max(math.floor(P * (1 - t + r / 2) + Fraction(1, 2)), 0)
        assert inst.due.min() >= lo and inst.due.max() <= hi
        lows.append(inst.due.min() - lo)
        highs.append(hi - inst.due.max())
        assert inst.processing.min() >= 1 and inst.processing.max() <= 100
        assert inst.weight.min() >= 1 and inst.weight.max() <= 10
    # The draws reach both ends of the interval (relative to its width).
    width = max(hi - lo, 1)
    assert min(lows) <= 0.05 * width and min(highs) <= 0.05 * width


def test_single_machine_unweighted_shares_the_draws():
    w = generate("single_machine", n=30, seed=9)
    u = generate("single_machine", n=30, seed=9, weighted=False)
    assert w.objective == "total_weighted_tardiness" and u.objective == "total_tardiness"
    assert (u.weight == 1).all()
    assert (u.processing == w.processing).all() and (u.due == w.due).all()
    assert generate("single_machine", objective="max_lateness").objective == "max_lateness"


# --- DAG -----------------------------------------------------------------------------------
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


# --- expert placement ----------------------------------------------------------------------
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


# --- sequence parallel ---------------------------------------------------------------------
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
