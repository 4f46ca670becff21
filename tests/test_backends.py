"""The shared backend runners (schedkit.solvers.backends)."""

from __future__ import annotations

from schedkit.solvers.backends.pulp import read_cbc_log


def test_cbc_log_reader() -> None:
    stopped = ("Result - Stopped on time limit\n\nObjective value:                1234.00000000\n"
               "Lower bound:                    1000.500\nGap:                            0.19\n"
               "Enumerated nodes:               77\n")
    assert read_cbc_log(stopped) == {"result": "Stopped on time limit", "lower": 1000.5,
                                     "nodes": 77}
    assert read_cbc_log("Result - Optimal solution found\n")["result"].startswith("Optimal")
    assert read_cbc_log("garbage") == {}


def test_a_solver_stopped_at_its_deadline_leaves_no_files(tmp_path, monkeypatch) -> None:
    import tempfile

    import schedkit as sk

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    res = sk.solve("ta41", "milp", time_limit=1.5, options={"hint_time": 0.2})
    assert res.verified
    assert list(tmp_path.iterdir()) == []  # PuLP's .mps/.mst/.sol went with the run's folder


def test_dispatch_best_tries_only_what_the_time_allows() -> None:
    import schedkit as sk

    # 32 rules on 20 000 operations take seconds; 0.2 s allows a few.
    inst = sk.generate("jobshop", jobs=1000, machines=20, seed=2)
    res = sk.solve(inst, "dispatch-best", time_limit=0.2)
    assert res.verified and res.stop_reason == sk.StopReason.TIME_LIMIT
    assert res.stats["stopped"] == "time limit" and "rules tried" in res.stop_detail
    tried = len(res.stats["rule_objectives"])
    assert 1 <= tried < 32
    full = sk.solve("ft06", "dispatch-best")
    assert full.stop_reason == sk.StopReason.FINISHED and "stopped" not in full.stats
    assert len(full.stats["rule_objectives"]) == 32


def _late_solver() -> tuple[dict, object, object]:
    """A call that 'launches its solver' only after run_watched gave it up (as PuLP starts CBC
    once it has written the model), then runs until killed or for 3 s."""
    import threading
    import time

    state = {"launched": False, "killed": threading.Event(), "kills_after_launch": 0}

    def call() -> str:
        time.sleep(0.5)
        state["launched"] = True
        state["killed"].wait(3.0)
        return "done"

    def kill() -> None:
        if state["launched"]:
            state["kills_after_launch"] += 1
            state["killed"].set()

    return state, call, kill


def test_a_solver_started_after_the_give_up_is_killed_too() -> None:
    import time

    from schedkit.solvers.backends import watch

    state, call, kill = _late_solver()
    t0 = time.perf_counter()
    out = watch.run_watched(call, deadline=t0, interrupt=None, stop=lambda: None, kill=kill,
                            grace=0.05, keep_killing=lambda: True)
    assert not out.finished and time.perf_counter() - t0 < 0.45  # given up before the launch
    worker = watch._given_up[-1]
    worker.join(2.0)
    assert not worker.is_alive() and state["kills_after_launch"] >= 1


def test_the_reaper_stops_when_told() -> None:
    import time

    from schedkit.solvers.backends import watch

    state, call, kill = _late_solver()
    out = watch.run_watched(call, deadline=time.perf_counter(), interrupt=None,
                            stop=lambda: None, kill=kill, grace=0.05,
                            keep_killing=lambda: False)
    assert not out.finished
    watch._given_up[-1].join(4.0)  # ends by itself after its 3 s, never killed
    assert state["launched"] and state["kills_after_launch"] == 0
