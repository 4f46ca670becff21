"""Expert placement over time: the previous plan, the migration budget, the load history, the
evaluator's bound and metrics, and the load charts."""

import itertools

import numpy as np
import pytest

import schedkit as sk
from schedkit.instances import ExpertPlacement, InputError
from schedkit.instances.evaluate import check, evaluate, lower_bound, metrics
from schedkit.instances.expert_placement.evaluate import changed_slots, replica_lower_bound
from schedkit.instances.jsonio import instance_from_json, instance_to_json

from ..cases import EP, EP_OK, kinds

# EP: 2 GPUs × 2 slots, loads [[4, 2, 2], [1, 1, 6]]; EP_OK replicates expert 0 (layer 0) and
# expert 2 (layer 1) on both GPUs. As phy2log (slot j on GPU j // 2):
EP_OK_PHY2LOG = [[0, 1, 0, 2], [2, 0, 2, 1]]


def _with_previous(previous, **budget) -> ExpertPlacement:
    return ExpertPlacement(gpus=2, gpus_per_node=1, slots_per_gpu=2, load=EP.load,
                           previous=previous, **budget)


def test_changed_slots_count_experts_that_leave_a_gpu() -> None:
    same = _with_previous(EP_OK_PHY2LOG)
    assert changed_slots(same, EP_OK["replicas"]).tolist() == [0, 0]
    # Layer 1: GPU 0 keeps expert 2 and swaps expert 0 for 1; GPU 1 swaps 1 for 0.
    moved = {"replicas": [EP_OK["replicas"][0], [[1], [0], [0, 1]]]}
    assert changed_slots(same, moved["replicas"]).tolist() == [0, 2]
    assert metrics(same, moved)["changed_slots"] == 2


@pytest.mark.parametrize(("budget", "feasible"), [
    ({"max_changed_slots": 2}, True), ({"max_changed_slots": 1}, False),
    ({"max_changed_layers": 1}, True), ({"max_changed_layers": 0}, False),
])
def test_migration_budget_is_a_constraint(budget, feasible) -> None:
    inst = _with_previous(EP_OK_PHY2LOG, **budget)
    moved = {"replicas": [EP_OK["replicas"][0], [[1], [0], [0, 1]]]}
    found = check(inst, moved)
    assert (not found) == feasible
    if not feasible:
        assert kinds(found) == {"budget"}
    assert not check(inst, EP_OK)  # staying put is always within budget


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"previous": [[0, 1, 0, 2]]}, "migration.previous"),             # one layer of two
    ({"previous": [[0, 1, 0, 3], [2, 0, 2, 1]]}, "migration.previous"),  # expert 3 of 3
    ({"max_changed_slots": 3}, "migration.max_changed_slots"),         # budget without a plan
    ({"previous": EP_OK_PHY2LOG, "max_changed_layers": -1}, "migration.max_changed_layers"),
    ({"history": [[[1, 2]]]}, "history"),                               # E = 2, not 3
])
def test_bad_migration_fields_name_the_field(kwargs, field) -> None:
    with pytest.raises(InputError) as err:
        ExpertPlacement(gpus=2, gpus_per_node=1, slots_per_gpu=2, load=EP.load, **kwargs)
    assert field in str(err.value)


def test_history_previous_and_budget_round_trip_through_json() -> None:
    inst = sk.generate("expert_placement", layers=3, windows=4, seed=2)
    assert inst.history.shape == (4, 3, 16)
    assert (inst.history[0] == inst.load).all()
    plan = inst.window(2, previous=np.zeros((3, inst.slots), dtype=np.int64),
                       max_changed_slots=7, max_changed_layers=2)
    assert (plan.load == inst.history[2]).all() and plan.history is None
    for one in (inst, plan):
        back = instance_from_json(instance_to_json(one))
        assert instance_to_json(back) == instance_to_json(one)
    back = instance_from_json(instance_to_json(plan))
    assert back.max_changed_slots == 7 and back.max_changed_layers == 2
    assert (back.previous == 0).all()
    with pytest.raises(InputError, match="window 4 out of range"):
        inst.window(4)


def test_history_leaves_the_first_window_unchanged() -> None:
    """Drift and history come from a second random stream: old instances stay identical."""
    one = sk.generate("expert_placement", preset="deepseek-v3", seed=5)
    many = sk.generate("expert_placement", preset="deepseek-v3", windows=5, drift=0.3, seed=5)
    assert (one.load == many.load).all()
    assert many.history.shape == (5, 4, 256)
    assert (many.history.sum(axis=2) == one.load.sum(axis=1)).all()  # tokens·k per window
    step = np.abs(np.diff(many.history, axis=0)).sum() / many.history[1:].sum()
    calm = sk.generate("expert_placement", preset="deepseek-v3", windows=5, drift=0.0, seed=5)
    assert step > np.abs(np.diff(calm.history, axis=0)).sum() / calm.history[1:].sum()


def test_group_limited_routing_concentrates_load_in_few_groups() -> None:
    base = sk.generate("expert_placement", preset="deepseek-v3", groups=32, seed=3)
    limited = sk.generate("expert_placement", preset="deepseek-v3", groups=32,
                          group_concentration=0.3, seed=3)
    def top_groups(inst):  # share of the load in the 4 heaviest of 8 groups, mean over layers
        per = np.sort(inst.load.reshape(inst.n_layers, 8, 32).sum(axis=2), axis=1)
        return float((per[:, -4:].sum(axis=1) / per.sum(axis=1)).mean())
    assert top_groups(limited) > top_groups(base) + 0.1
    with pytest.raises(InputError, match="group_concentration"):
        sk.generate("expert_placement", group_concentration=1.0)


def _brute_replica_bound(w, R, G) -> float:
    E = len(w)
    best = np.inf
    for counts in itertools.product(range(1, min(G, R - E + 1) + 1), repeat=E):
        if sum(counts) == R:
            best = min(best, max(x / c for x, c in zip(w, counts, strict=True)))
    return float(best)


@pytest.mark.parametrize("seed", range(6))
def test_replica_bound_is_the_min_max_apportionment(seed) -> None:
    rng = np.random.default_rng(seed)
    E, G = int(rng.integers(2, 5)), int(rng.integers(2, 4))
    R = int(rng.integers(E, min(E * G, E + 4) + 1))
    w = rng.integers(1, 50, size=E).astype(float)
    assert replica_lower_bound(w, R, G) == pytest.approx(_brute_replica_bound(w, R, G))


def test_lower_bound_on_the_published_examples() -> None:
    flash = sk.load("flashlb-pr")
    # max(mean 181.25, best largest replica 150): the bound stays below the optimum 590/3.
    assert lower_bound(flash) == pytest.approx(181.25)
    readme = sk.load("eplb-readme")
    assert lower_bound(readme) <= 136 + 172
    assert lower_bound(readme) > 0.85 * (136 + 172)


def test_slot_balancedness() -> None:
    m = metrics(EP, EP_OK)
    # Layer 0: replica loads 2, 2, 2, 2 (mean 8/4 = 2); layer 1: 1, 1, 3, 3 (mean 2, max 3).
    assert m["slot_balancedness"] == pytest.approx([1.0, 2 / 3])
    assert evaluate(EP, EP_OK).feasible


@pytest.mark.parametrize("layers", [1, 5])
def test_load_charts_draw_a_plan_and_a_rebalance(tmp_path, layers) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from schedkit.plotting import save_plot
    from schedkit.plotting.expert_placement import plot_gpu_loads, plot_rebalance

    inst = sk.generate("expert_placement", layers=layers, seed=1)
    res = sk.solve(inst, "baseline")
    out = save_plot(res, tmp_path / "plan.png", inst)
    assert out.stat().st_size > 1000
    other = {"replicas": [[[(g + 1) % inst.gpus for g in gpus] for gpus in row]
                          for row in res.solution["replicas"]]}
    fig = plot_rebalance(inst, res.solution, other)
    assert len(fig.axes) == 4  # two heat maps, their colour bar, the bars
    ax = plot_gpu_loads(inst, other, 0, before=res.solution)
    assert len(ax.patches) == 2 * inst.gpus
    with pytest.raises(InputError, match="layer 9 out of range"):
        plot_gpu_loads(inst, other, 9)
    with pytest.raises(InputError, match="infeasible"):
        plot_gpu_loads(inst, {"replicas": [[[0]] * inst.n_experts] * layers})
