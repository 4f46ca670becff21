"""The job-shop generator: Taillard's published instances and the random shapes."""

import math

import numpy as np
import pytest

from schedkit.instances.datadir import data_dir
from schedkit.instances.errors import InputError
from schedkit.instances.generators import generate
from schedkit.instances.jobshop.generate import MAX_OPERATIONS, TaillardLCG

# Taillard (1993), Table of 15x15 job-shop instances: (time seed, machine seed) of ta01..ta10.
TAILLARD_15X15 = [
    (840612802, 398197754), (1314640371, 386720536), (1227221349, 316176388),
    (342269428, 1806358582), (1603221416, 1501949241), (1357584978, 1734077082),
    (44531661, 1374316395), (302545136, 2092186050), (1153780144, 1393392374),
    (73896786, 1544979948),
]


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


# --- size and exactness caps ----------------------------------------------------------------------
@pytest.mark.parametrize(("shape", "field", "message"), [
    ({"jobs": 99999999999999999999}, "generate.jobs", "size cap"),
    ({"jobs": 2001, "machines": 2000}, "generate.jobs", "jobs*machines operations"),
    ({"jobs": 1, "machines": 10**6 + 1}, "generate.machines", "<= 1000000"),
    ({"jobs": 1, "machines": 1, "high": 2**53}, "generate.high", "2**53"),
    ({"jobs": 2, "machines": 1, "max_release": 2**52}, "generate.max_release", "2**53"),
    ({"due_dates": True, "due_factor": 1e300}, "generate.due_factor", "2**53"),
])
def test_jobshop_caps(shape, field, message):
    with pytest.raises(InputError) as err:
        generate("jobshop", **shape)
    assert err.value.field == field and message in str(err.value)


def test_jobshop_caps_accept_their_limits():
    assert MAX_OPERATIONS == 4 * 10**6
    # One operation of 2**53 - 1: the largest exact makespan, accepted.
    inst = generate("jobshop", jobs=1, machines=1, low=2**53 - 1, high=2**53 - 1)
    assert int(inst.op_duration[0]) == 2**53 - 1
    # Weighted: 10 * jobs * (jobs*machines*high) must stay below 2**53.
    generate("jobshop", jobs=2, machines=2, high=2**53 // 80 - 1,
             objective="total_weighted_completion")
