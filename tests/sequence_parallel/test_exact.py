"""The exact sequence-parallel methods (``milp`` with CBC and HiGHS, ``cpsat``): a brute-force
enumeration of every plan agrees with their proved optima; the two methods agree with each
other where brute force is too slow; the split mode is honest; the split and bucketing DPs
against brute force, with and without the JIT; bad options."""

from __future__ import annotations

import functools
import itertools
import json
import math

import numpy as np
import pytest

import schedkit as sk
from schedkit.heuristics.sequence_parallel import split
from schedkit.instances import InputError, SequenceParallel

METHODS = [
    pytest.param("cpsat", {}, id="cpsat"),
    pytest.param("milp", {"backend": "cbc"}, id="milp-cbc"),
    pytest.param("milp", {"backend": "highs"}, id="milp-highs"),
]


def brute_force(inst: SequenceParallel) -> float:
    """The least step time over every plan: every set partition of the sequences into
    micro-batches, and of each micro-batch into groups with an allowed degree each (Σ d <= N,
    memory C·d), by two memoised recursions over bit sets."""
    K = inst.n_sequences
    L = inst.lengths.tolist()
    C, N, b1 = inst.memory_tokens, inst.devices, inst.cost.b1
    degrees = inst.degrees.tolist()
    t = {(k, d): inst.sequence_time(L[k], d) for k in range(K) for d in degrees}

    def subsets_with_lowest(S: int):
        low = S & -S
        rest = S ^ low
        sub = rest
        while True:
            yield sub | low
            if sub == 0:
                return
            sub = (sub - 1) & rest

    @functools.cache
    def microbatch(T: int, devices: int) -> float:
        # Slowest group of the best split of T into groups on at most `devices` devices.
        if T == 0:
            return 0.0
        best = math.inf
        for G in subsets_with_lowest(T):
            ks = [k for k in range(K) if G >> k & 1]
            tokens = sum(L[k] for k in ks)
            for d in degrees:
                if d <= devices and tokens <= C * d:
                    g = b1 + sum(t[(k, d)] for k in ks)
                    if g < best:
                        best = min(best, max(g, microbatch(T ^ G, devices - d)))
        return best

    @functools.cache
    def step(S: int) -> float:
        if S == 0:
            return 0.0
        return min(microbatch(T, N) + step(S ^ T) for T in subsets_with_lowest(S))

    return step((1 << K) - 1)


def random_instance(seed: int, K: int, N: int, degrees: tuple[int, ...]) -> SequenceParallel:
    """A small instance where memory forces several micro-batches and degrees matter: a
    quadratic term, an all-to-all that grows with the degree, b1 of the order of a group."""
    rng = np.random.default_rng(seed)
    C = 100
    lengths = rng.integers(10, C * max(degrees) // 2, size=K)
    return SequenceParallel(
        devices=N, devices_per_node=N, memory_tokens=C, degrees=list(degrees),
        lengths=lengths.tolist(),
        cost={"a1": 1e-3, "a2": 1.0, "b1": float(rng.uniform(5, 40)),
              "comm_bytes_per_token": 2e9,
              "bandwidth": {str(d): float(rng.uniform(1, 8)) for d in degrees if d > 1}},
        name=f"random-{seed}")


#: Linear cost without communication: a sequence of s tokens on d devices takes s/d seconds.
LINEAR = {"a1": 0.0, "a2": 1.0, "b1": 10.0, "comm_bytes_per_token": 0.0,
          "bandwidth": {"2": 1.0, "4": 1.0}}


#: The all-to-all makes degree 2 the fastest: t(s, 1) = s, t(s, 2) = s/2 + s/4 = 3s/4,
#: t(s, 4) = s/4 + 3s/4 = s; degree 4 only adds memory.
COMM = {"a1": 0.0, "a2": 1.0, "b1": 10.0, "comm_bytes_per_token": 1e9,
        "bandwidth": {"2": 1.0, "4": 0.25}}


def hand_instance() -> SequenceParallel:
    """51 tokens on 4 devices of 10: two micro-batches at least. 20 and 15 tokens need
    degree 2 at least. By hand: {20} and {15} on 2 devices each (10 + 15, 10 + 11.25: 25),
    then {8} and {8} on 2 devices each (10 + 6: 16): 41 — one micro-batch cannot hold 51
    tokens and three pay 30 in b1 besides 25 for {20}. The cheap lower bound is
    2·10 + (30 + 22.5 + 8 + 8)/4 = 37.125."""
    return SequenceParallel(devices=4, devices_per_node=4, memory_tokens=10, degrees=[1, 2, 4],
                            lengths=[20, 15, 8, 8], cost=COMM, name="hand")


CASES = [
    pytest.param(lambda: random_instance(1, 6, 8, (1, 2, 4, 8)), id="r1-1248"),
    pytest.param(lambda: random_instance(0, 6, 6, (1, 3)), id="r0-13"),
    pytest.param(lambda: random_instance(2, 6, 4, (1, 2, 4)), id="r2-124"),
    pytest.param(lambda: random_instance(3, 7, 6, (1, 3)), id="r3-13"),
    pytest.param(lambda: random_instance(4, 6, 8, (1, 2, 4)), id="r4-124-n8"),
    pytest.param(hand_instance, id="hand"),
]


def _solve(inst, method, options, **kw):
    res = sk.solve(inst, method, time_limit=kw.pop("time_limit", 60), options=options, **kw)
    assert res.verified, res.stop_detail
    assert res.bound <= res.objective * (1 + 1e-9) + 1e-9
    return res


@pytest.mark.parametrize("make", CASES)
@pytest.mark.parametrize(("method", "options"), METHODS)
def test_proved_optimum_equals_brute_force(make, method: str, options: dict) -> None:
    inst = make()
    best = brute_force(inst)
    res = _solve(inst, method, {**options, "model": "full"})
    assert res.status == "optimal", res.stop_detail
    assert res.objective == pytest.approx(best, rel=1e-9)
    assert res.stats["model"] == "full"


@pytest.mark.parametrize(("method", "options"), METHODS)
def test_hand_instance(method: str, options: dict) -> None:
    inst = hand_instance()
    assert brute_force(inst) == pytest.approx(41.0)
    assert sk.lower_bound(inst) == pytest.approx(37.125)
    res = _solve(inst, method, {**options, "model": "full"})
    assert res.status == "optimal" and res.objective == pytest.approx(41.0)
    mbs = sorted(sorted((len(g["devices"]), sorted(g["sequences"])) for g in mb)
                 for mb in res.solution["microbatches"])
    assert mbs == [[(2, [0]), (2, [1])], [(2, [2]), (2, [3])]]


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_exact_methods_agree_on_twelve_sequences(seed: int) -> None:
    # Brute force over 12 sequences is too slow for a unit test: the exact methods check
    # each other on FlexSP-scaled 7B batches of 12 sequences on 8 devices.
    inst = sk.generate("sequence_parallel", preset="7b", sequences=12, devices=8, seed=seed)
    found = [_solve(inst, method, {**options, "model": "full"})
             for method, options in (("cpsat", {}), ("milp", {"backend": "highs"}),
                                     ("milp", {"backend": "cbc"}))]
    assert all(r.status == "optimal" for r in found), [r.stop_detail for r in found]
    assert found[0].objective == pytest.approx(found[1].objective, rel=1e-6)
    assert found[0].objective == pytest.approx(found[2].objective, rel=1e-6)


@pytest.mark.parametrize(("method", "options"), METHODS)
def test_split_is_feasible_unless_it_meets_the_bound(method: str, options: dict) -> None:
    inst = random_instance(7, 10, 8, (1, 2, 4, 8))
    res = _solve(inst, method, {**options, "model": "split"}, time_limit=2)
    assert res.stats["model"] == "split"
    if res.status == "optimal":
        assert res.objective == pytest.approx(sk.lower_bound(inst))
    else:
        assert res.status == "feasible"
        assert res.bound == pytest.approx(sk.lower_bound(inst))
    assert res.objective <= res.stats["hint_objective"] * (1 + 1e-12)
    assert "warm start" in res.stats["microbatch_counts"]


@pytest.mark.parametrize(("method", "options"), METHODS)
def test_buckets_give_a_feasible_plan(method: str, options: dict) -> None:
    inst = sk.generate("sequence_parallel", preset="7b", sequences=40, devices=8, seed=3)
    res = _solve(inst, method, {**options, "model": "split", "buckets": 3}, time_limit=2)
    assert res.status in ("feasible", "optimal")
    assert res.stats["buckets"] == 3
    assert sk.check(inst, res) == []


def test_auto_picks_full_for_few_sequences_and_split_for_many() -> None:
    small = random_instance(0, 5, 4, (1, 2, 4))
    assert _solve(small, "cpsat", {}).stats["model"] == "full"
    big = sk.generate("sequence_parallel", preset="7b", sequences=20, devices=8, seed=1)
    assert _solve(big, "cpsat", {}, time_limit=2).stats["model"] == "split"


def test_split_returns_the_warm_start_when_nothing_is_better() -> None:
    inst = random_instance(2, 6, 4, (1, 2, 4))
    opt = _solve(inst, "cpsat", {"model": "full"})
    assert opt.status == "optimal"
    res = _solve(inst, "cpsat", {"model": "split", "extra": 0}, initial=opt.solution)
    assert res.stats["hint_from"] == "initial"
    assert res.stats["returned"] == "warm start"
    assert res.objective == pytest.approx(opt.objective)


def test_full_returns_the_warm_start_when_the_model_cannot_be_built() -> None:
    # A huge full model cannot be built in a tenth of a second: the warm start comes back.
    inst = sk.generate("sequence_parallel", preset="7b", sequences=300, devices=16, seed=1)
    res = _solve(inst, "milp", {"model": "full"}, time_limit=0.3)
    assert res.status == "feasible"
    assert res.stats["returned"] == "warm start"
    assert res.objective == pytest.approx(res.stats["hint_objective"])


@pytest.mark.parametrize(("options", "field"), [
    ({"model": "nope"}, "option model"),
    ({"buckets": -1}, "option buckets"),
    ({"extra": -2}, "option extra"),
    ({"backend": "gurobi"}, "option backend"),
])
def test_bad_options_are_input_errors(options: dict, field: str) -> None:
    inst = random_instance(0, 4, 4, (1, 2, 4))
    method = "milp" if "backend" in options else "cpsat"
    with pytest.raises(InputError) as err:
        sk.solve(inst, method, options=options)
    assert err.value.field == field


def test_infeasible_initial_is_an_input_error() -> None:
    inst = random_instance(0, 4, 4, (1, 2, 4))
    with pytest.raises(InputError) as err:
        sk.solve(inst, "cpsat", initial={"microbatches": [[{"devices": [0],
                                                            "sequences": [0]}]]})
    assert err.value.field == "initial"


def test_no_hint_still_solves_small_instances() -> None:
    inst = random_instance(1, 5, 6, (1, 3))
    res = _solve(inst, "cpsat", {"model": "full", "hint": False})
    assert res.status == "optimal"
    assert res.objective == pytest.approx(brute_force(inst), rel=1e-9)


# --- the DPs -------------------------------------------------------------------------------
def _inst_for_dp(lengths: list[int]) -> SequenceParallel:
    return SequenceParallel(devices=4, devices_per_node=4, memory_tokens=10,
                            degrees=[1, 2, 4], lengths=lengths, cost=LINEAR, name="dp")


def _estimate(inst: SequenceParallel, parts: list[list[int]]) -> float:
    return sum(split.microbatch_bound(inst, np.array(p)) for p in parts)


@pytest.mark.parametrize("lengths", [[9, 8, 7, 6, 5, 4, 3, 2], [30, 12, 10, 7, 7, 3, 1],
                                     [40, 1, 1, 1, 38, 2]])
@pytest.mark.parametrize("parts", [1, 2, 3, 4])
def test_linear_partition_is_the_best_contiguous_cut(lengths: list[int], parts: int) -> None:
    inst = _inst_for_dp(lengths)
    order = sorted(range(len(lengths)), key=lambda k: (-lengths[k], k))
    cap = inst.devices * inst.memory_tokens
    best = math.inf
    for cuts in itertools.combinations(range(1, len(lengths)), parts - 1):
        bounds = [0, *cuts, len(lengths)]
        ps = [order[a:b] for a, b in itertools.pairwise(bounds)]
        if all(sum(lengths[k] for k in p) <= cap for p in ps):
            best = min(best, _estimate(inst, ps))
    found = split.linear_partition(inst, parts)
    if best == math.inf:
        assert found is None
        return
    assert found is not None
    part, estimate = found
    assert estimate == pytest.approx(best)
    got = [np.flatnonzero(part == j).tolist() for j in range(parts)]
    assert _estimate(inst, got) == pytest.approx(best)
    # Contiguous in the sorted order, micro-batch 0 the longest.
    assert [part[k] for k in order] == sorted(part[k] for k in order)


def test_partitions_start_at_the_fewest_feasible_count() -> None:
    # 118 tokens, 40 per micro-batch: 3 at least, and {40} {38} {30, 5, 5} cuts it.
    inst = _inst_for_dp([40, 38, 30, 5, 5])
    assert [m for m, _, _ in split.partitions(inst, 1)] == [3, 4]
    # 80 tokens: {35, 5} {30, 10} fit in 2, but no contiguous cut of 35, 30, 10, 5 does.
    inst = _inst_for_dp([10, 35, 5, 30])
    assert split.fewest_parts(inst) == 2
    assert split.linear_partition(inst, 2) is None
    assert [m for m, _, _ in split.partitions(inst, 0)] == [3]
    with pytest.raises(InputError):
        split.partitions(inst, -1)


@pytest.mark.parametrize("lengths", [[5, 1, 9, 3, 3, 7, 2], [4, 4, 4, 10], [1]])
@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_buckets_minimise_padding(lengths: list[int], count: int) -> None:
    s = np.array(lengths)
    srt = np.sort(s)
    best = math.inf
    for n in range(1, count + 1):
        for cuts in itertools.combinations(range(1, len(srt)), n - 1):
            bounds = [0, *cuts, len(srt)]
            best = min(best, sum(int(srt[b - 1]) * (b - a) - int(srt[a:b].sum())
                                 for a, b in itertools.pairwise(bounds)))
    bucket, top = split.buckets(s, count)
    assert len(top) <= count
    assert int((top[bucket] - s).sum()) == best
    assert (top[bucket] >= s).all()


def test_microbatch_greedy_fits_or_refuses() -> None:
    inst = _inst_for_dp([9, 8, 7, 6])
    groups = split.microbatch_greedy(inst, np.arange(4))
    assert groups is not None
    assert sum(d for d, _ in groups) <= inst.devices
    assert sorted(k for _, ks in groups for k in ks) == [0, 1, 2, 3]
    assert split.microbatch_greedy(inst, np.array([0, 1, 2, 3, 3, 3])) is None  # 51 > 40


def test_kernels_with_and_without_jit(jit_outputs) -> None:
    script = (
        "import json, numpy as np\n"
        "from schedkit.heuristics.sequence_parallel.split_kernels import bucket_dp, "
        "partition_dp\n"
        "t = np.array([40, 38, 30, 12, 5, 5, 1], dtype=np.int64)\n"
        "w = t.astype(np.float64) * 1.5\n"
        "print(json.dumps({'p': partition_dp(t, w, w / 4, 4, 4, 80, 2.0).tolist(),\n"
        "                  'b': bucket_dp(np.sort(t), 3).tolist()}))\n")
    compiled, plain = jit_outputs(script)
    assert compiled == plain
    assert compiled["p"][0] == 0 and compiled["p"][-1] == 3
    assert json.dumps(compiled)
