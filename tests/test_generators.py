"""The seeded instance generators across problems (schedkit.instances.generators).

Determinism, JSON round trips, provenance and option handling, for every problem; the
per-family facts are in ``tests/<problem>/test_generate.py``.
"""

import hashlib
import inspect
import json
import os
import subprocess
import sys

import pytest

from schedkit.instances import InputError
from schedkit.instances.generators import GENERATORS, generate, options
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


def _text(problem, seed, **extra):
    return instance_to_json(generate(problem, seed=seed, **{**SMALL[problem], **extra}))


def _sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def test_generators_cover_every_problem():
    from schedkit.instances.families import PROBLEMS as MODEL_PROBLEMS

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
