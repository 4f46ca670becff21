"""The single-machine generator: due-date ranges and weights."""

import math
from fractions import Fraction

import pytest

from schedkit.instances.errors import InputError
from schedkit.instances.generators import generate
from schedkit.instances.single_machine.generate import MAX_JOBS


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


# --- the size cap ---------------------------------------------------------------------------------
def test_single_machine_size_cap():
    with pytest.raises(InputError) as err:
        generate("single_machine", n=MAX_JOBS + 1)
    assert err.value.field == "generate.n" and "size cap" in str(err.value)
    with pytest.raises(InputError) as err:
        generate("single_machine", n=10**30)
    assert err.value.field == "generate.n"


def test_the_cap_keeps_every_objective_exact():
    # The generator's bound: p <= 100, w <= 10, so every objective <= 10n * 100n < 2**53.
    assert 10 * MAX_JOBS * 100 * MAX_JOBS < 2**53
