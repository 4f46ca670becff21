"""The method registry: methods keyed by (name, problem), each problem declaring its own, and
unregistered methods run through the same checks."""

from __future__ import annotations

import pytest

import schedkit as sk


def test_one_name_several_problems_each_with_its_own_options() -> None:
    cpsat = {m.problem: m for m in sk.methods() if m.name == "cpsat"}
    assert set(cpsat) == {"jobshop", "single_machine", "dag", "expert_placement",
                          "sequence_parallel"}
    assert {o.name for o in cpsat["jobshop"].options} == {"model", "hint", "hint_time"}
    assert "dominance" in {o.name for o in cpsat["single_machine"].options}
    assert "symmetry_breaking" in {o.name for o in cpsat["dag"].options}
    assert {"split", "hierarchical"} <= {o.name for o in cpsat["expert_placement"].options}
    assert {o.name for o in cpsat["sequence_parallel"].options} == {
        "model", "buckets", "extra", "hint", "hint_time"}
    # An option of one problem's cpsat is unknown to another's, and the error lists the known.
    with pytest.raises(sk.InputError, match="on jobshop .*known: model, hint, hint_time"):
        sk.solve("ft06", "cpsat", options={"dominance": False})
    with pytest.raises(sk.InputError) as err:
        sk.solve("wt40-1", "cpsat", options={"model": "textbook"})
    assert err.value.field == "option model"


def test_every_problem_has_a_baseline_and_an_auto_choice() -> None:
    for problem in sk.PROBLEMS:
        names = {m.name for m in sk.methods(problem)}
        assert "baseline" in names
        assert all(m.problem == problem for m in sk.methods(problem))
    assert len({(m.name, m.problem) for m in sk.methods()}) == len(sk.methods())


def test_lookup_errors_name_what_exists() -> None:
    with pytest.raises(sk.InputError, match="does not solve jobshop .*it solves dag"):
        sk.get_method("heft", "jobshop")
    with pytest.raises(sk.InputError, match="unknown method 'nope'"):
        sk.get_method("nope", "dag")


def test_choices_come_from_the_heuristics_tables() -> None:
    options = {o.name: o for o in sk.get_method("dispatch", "jobshop").options}
    assert options["rule"].choices == tuple(sk.heuristics.jobshop.RULES)
    init = {o.name: o for o in sk.get_method("ls", "single_machine").options}["init"]
    assert init.choices == ("best", *sk.heuristics.single_machine.RULES)
    priority = {o.name: o for o in sk.get_method("list", "dag").options}["priority"]
    assert priority.choices == sk.heuristics.dag.LIST_PRIORITIES


def test_rule_methods_share_one_adapter_with_the_rule_fixed() -> None:
    rules = [sk.get_method(r, "single_machine") for r in sk.heuristics.single_machine.RULES]
    assert {m.run for m in rules} == {"schedkit.solvers.single_machine.rules:run_rule"}
    assert [m.fixed["rule"] for m in rules] == list(sk.heuristics.single_machine.RULES)
    inst = sk.generate("single_machine", n=12, seed=4)
    res = sk.solve(inst, "mdd")
    assert res.options == {} and res.stats["rule"] == "mdd"
    assert res.objective == sk.heuristics.single_machine.sequence_value(
        inst, sk.heuristics.single_machine.rule_sequence(inst, "mdd"))
    with pytest.raises(sk.InputError, match="unknown option"):
        sk.solve(inst, "mdd", options={"rule": "edd"})  # fixed, not settable


def test_an_unregistered_method_runs_through_solve() -> None:
    def shortest_first(instance: sk.Instance, ctx: sk.RunContext) -> sk.MethodResult:
        order = sorted(range(instance.n_jobs), key=lambda j: (instance.processing[j], j))
        return sk.MethodResult({"sequence": order}, sk.Status.FEASIBLE)

    mine = sk.Method("mine", "single_machine", shortest_first, sk.Kind.HEURISTIC, "SPT by hand")
    inst = sk.generate("single_machine", n=15, seed=2)
    res = sk.solve(inst, mine)
    assert res.method == "mine" and res.verified
    assert res.objective == sk.solve(inst, "spt").objective
    assert sk.find_method("mine", "single_machine") is None  # solving did not register it
    with pytest.raises(sk.InputError, match="does not solve jobshop"):
        sk.solve("ft06", mine)
