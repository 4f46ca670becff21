"""The command line as a user meets it (issue 14): the default time limit in the header,
``-v``/``--quiet``, progress bars, ``-`` for stdin/stdout, ``--json``, pass-through backend
parameters, and each rough edge of the issue (one spelling of a problem everywhere, errors
before the header, did-you-mean, flags in errors, what ``auto`` runs, ``check``'s verdicts)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import schedkit as sk
from schedkit.cli import DEFAULT_TIME_LIMIT_S, main

DATA = Path(__file__).resolve().parent / "data"
PROBLEM_LIST = "jobshop, single_machine, dag, expert_placement, sequence_parallel"


def run(capsys, *args: str, stdin: str | None = None,
        monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def one_error(code: int, stdout: str, stderr: str) -> str:
    """The single error line of a user mistake (exit 2, nothing on stdout)."""
    assert code == 2, stderr
    assert stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr
    return lines[0]


# --- the default time limit ---------------------------------------------------------------


def test_default_time_limit_is_in_the_header_and_the_record(capsys) -> None:
    code, out, _ = run(capsys, "solve", "ft06", "-m", "baseline")
    assert code == 0
    assert out.splitlines()[0] == "time limit 60 s per instance, seed 0, workers 1"
    assert DEFAULT_TIME_LIMIT_S == 60
    code, out, _ = run(capsys, "solve", "ft06", "-m", "baseline", "--json")
    assert code == 0 and records(out)[0]["time_limit_s"] == 60


@pytest.mark.parametrize(("value", "header", "recorded"), [
    ("none", "time limit none, seed 3, workers 1", None),
    ("2.5", "time limit 2.5 s per instance, seed 3, workers 1", 2.5),
])
def test_time_limit_flag(capsys, value, header, recorded) -> None:
    code, out, _ = run(capsys, "solve", "ft06", "-m", "baseline", "-t", value, "--seed", "3")
    assert code == 0 and out.splitlines()[0] == header
    code, out, _ = run(capsys, "solve", "ft06", "-m", "baseline", "-t", value, "--seed", "3",
                       "--json")
    assert records(out)[0]["time_limit_s"] == recorded


@pytest.mark.parametrize("value", ["0", "-1", "abc", "inf", "nan"])
def test_bad_time_limit_names_the_flag(capsys, value) -> None:
    line = one_error(*run(capsys, "solve", "ft06", "-t", value))
    assert line == ("error: --time-limit: must be a finite number of seconds > 0, or none "
                    f"for no limit; got {value!r}")


def test_library_default_is_still_no_limit() -> None:
    assert sk.solve("ft06", "baseline").time_limit_s is None


# --- -v / --log and --quiet -----------------------------------------------------------------


def test_log_shows_incumbents_and_changes_nothing(capsys) -> None:
    # the CLI's default time limit gives dispatch-best, tabu's start, a quarter of it: compile
    # first, so that a cold Numba cache (this test alone) cannot cut the start short
    sk.get_method("tabu", "jobshop").warm_up()
    args = ("solve", "ft06", "-m", "tabu", "--option", "iterations=3000", "--seed", "2")
    code, quiet_out, quiet_err = run(capsys, *args, "--json")
    assert code == 0 and quiet_err == ""
    code, loud_out, loud_err = run(capsys, *args, "--json", "-v")
    assert code == 0
    plain, logged = records(quiet_out)[0], records(loud_out)[0]
    assert logged["solution"] == plain["solution"] and logged["objective"] == plain["objective"]
    lines = loud_err.splitlines()
    assert "ft06 tabu: start: metaheuristic method on 6 jobs x 6 machines" in lines[0]
    bests = [line for line in lines if "ft06 tabu: best " in line]
    assert bests and all(" bound 52 " in line and " gap " in line for line in bests)
    assert bests[-1].split("best ")[1].split()[0] == f"{plain['objective']:g}"
    assert "ft06 tabu: end: feasible, objective" in lines[-1]
    assert "stop reason iteration limit" in lines[-1]


@pytest.mark.parametrize(("method", "instance", "options"), [
    ("tabu", "ft10", {"iterations": 2000}),
    ("ls", "wt40-1", {"iterations": 60}),
    ("alns", "wt40-1", {"iterations": 40}),
])
def test_library_log_gives_the_same_result(method, instance, options) -> None:
    lines: list[str] = []
    plain = sk.solve(instance, method, seed=1, options=options)
    logged = sk.solve(instance, method, seed=1, options=options, log=lines.append)
    assert logged.solution == plain.solution and logged.objective == plain.objective
    assert lines[0].split(": ", 1)[1].startswith("start: metaheuristic method")
    assert any(f"{instance} {method}: best " in line for line in lines)
    assert lines[-1].split(": ", 1)[1].startswith(f"end: {plain.status}, objective "
                                                  f"{plain.objective:.10g}")


def test_cpsat_log_goes_to_stderr_only(capsys) -> None:
    args = ("solve", "ft06", "-m", "cpsat", "--option", "hint=false")
    code, out, err = run(capsys, *args, "-v")
    assert code == 0
    assert "[cp-sat] Starting CP-SAT solver" in err
    assert "[cp-sat]" not in out
    row = [line for line in out.splitlines() if line.startswith("ft06")][0]
    assert row.split()[2:4] == ["optimal", "55"]
    # One worker, ended by its proof (not by the clock): the log changes nothing.
    (plain,) = records(run(capsys, *args, "--json")[1])
    (logged,) = records(run(capsys, *args, "--json", "-v")[1])
    assert logged["solution"] == plain["solution"] and logged["stop_reason"] == "finished"


def _small_jobshop(tmp_path: Path) -> Path:
    path = tmp_path / "j.json"
    sk.save(sk.generate("jobshop", jobs=5, machines=4, seed=3), path)
    return path


def test_cbc_log_is_forwarded(capsys, tmp_path) -> None:
    path = _small_jobshop(tmp_path)
    code, out, err = run(capsys, "solve", str(path), "-m", "milp", "--option", "hint=false",
                         "-v")
    assert code == 0
    assert "[cbc] Welcome to the CBC MILP Solver" in err and "[cbc]" not in out


def test_highs_log_and_options_pass_through(capsys, tmp_path) -> None:
    pytest.importorskip("highspy")
    path = _small_jobshop(tmp_path)
    args = ("solve", str(path), "-m", "milp", "--option", "backend=highs", "--option",
            "hint=false", "-v")
    code, out, err = run(capsys, *args)
    assert code == 0 and "[highs]" not in out
    assert any(line.startswith("[highs] ") for line in err.splitlines())
    assert "Presolving model" in err
    code, out, err = run(capsys, *args, "--option", "highs.presolve=off")
    assert code == 0 and "[highs] " in err and "Presolving model" not in err
    assert "optimal" in out


def test_quiet_prints_nothing_but_still_writes_out(capsys, tmp_path) -> None:
    out_file = tmp_path / "r.jsonl"
    code, out, err = run(capsys, "solve", "ft06", "ft10", "-m", "baseline", "--quiet",
                         "--out", str(out_file))
    assert (code, out, err) == (0, "", "")
    assert [r["instance"] for r in records(out_file.read_text())] == ["ft06", "ft10"]


def test_quiet_and_log_exclude_each_other(capsys) -> None:
    line = one_error(*run(capsys, "solve", "ft06", "-q", "-v"))
    assert line == "error: --quiet: --log and --quiet exclude each other"


def test_ctx_improved_is_rate_limited(monkeypatch) -> None:
    from schedkit.solvers import registry

    clock = [100.0]
    monkeypatch.setattr(registry.time, "perf_counter", lambda: clock[0])
    lines: list[str] = []
    ctx = sk.RunContext(time_limit=None, seed=0, workers=1, options={}, log=lines.append,
                        bound=8.0, label="x m: ")
    ctx.started = 100.0
    ctx.improved(10.0)
    clock[0] = 100.1
    ctx.improved(9.0)  # within LOG_INTERVAL_S of the last line: held back
    ctx.improved(9.5)  # not a new best: nothing
    assert lines == ["    0.00s  x m: best 10  bound 8  gap 20.00%"]
    clock[0] = 100.3
    ctx.flush()  # the held-back line carries the time its incumbent was found
    assert lines[1] == "    0.10s  x m: best 9  bound 8  gap 11.11%"
    clock[0] = 101.0
    ctx.improved(8.5, bound=8.5)
    assert lines[2] == "    1.00s  x m: best 8.5  bound 8.5  gap 0.00%"
    ctx.flush()
    assert len(lines) == 3


# --- progress bar -------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(capsys, monkeypatch) -> None:
    code, _, err = run(capsys, "solve", "ft06", "ft10", "-m", "baseline")
    assert code == 0 and err == ""  # stderr is no terminal here: no bar
    for quiet in (False, True):
        fake = _Terminal()
        monkeypatch.setattr("sys.stderr", fake)
        code = main(["solve", "ft06", "ft10", "-m", "baseline", *(["-q"] if quiet else [])])
        monkeypatch.undo()
        assert code == 0
        if quiet:
            assert fake.getvalue() == ""
        else:
            assert "0/2" in fake.getvalue() and "instance" in fake.getvalue()
    capsys.readouterr()


# --- stdin and stdout ---------------------------------------------------------------------


def test_instance_from_stdin(capsys, monkeypatch) -> None:
    text = sk.instance_to_json(sk.generate("jobshop", jobs=4, machines=3, seed=5))
    code, out, _ = run(capsys, "solve", "-", "-m", "baseline", "--json", stdin=text,
                       monkeypatch=monkeypatch)
    assert code == 0
    (rec,) = records(out)
    assert rec["instance"] == sk.instance_from_json(text).name
    code, out, _ = run(capsys, "info", "-", stdin=text, monkeypatch=monkeypatch)
    assert code == 0 and "4 jobs x 3 machines" in out


def test_text_format_from_stdin_with_format(capsys, monkeypatch) -> None:
    text = (DATA / "tai3x3.txt").read_text()
    code, out, _ = run(capsys, "info", "-", "--format", "taillard", stdin=text,
                       monkeypatch=monkeypatch)
    assert code == 0 and "3 jobs x 3 machines" in out
    code, _, err = run(capsys, "info", "-", "--format", "stg", stdin=text,
                       monkeypatch=monkeypatch)
    assert code == 2 and err.startswith("error: <stdin>")


def test_convert_between_stdin_and_stdout(capsys, monkeypatch) -> None:
    text = (DATA / "tai3x3.txt").read_text()
    code, out, _ = run(capsys, "convert", "-", "-", "--format", "taillard", stdin=text,
                       monkeypatch=monkeypatch)
    assert code == 0
    converted = sk.instance_from_json(out)
    assert converted.data_dict() == sk.read(DATA / "tai3x3.txt").data_dict()
    line = one_error(*run(capsys, "convert", "ft06", "-", "--to", "stg"))
    assert line == "error: --to: stdout takes the JSON document only"


def test_out_dash_writes_json_lines_to_stdout_and_the_table_to_stderr(capsys) -> None:
    code, out, err = run(capsys, "solve", "ft06", "la01", "-m", "baseline", "-o", "-")
    assert code == 0
    assert [r["instance"] for r in records(out)] == ["ft06", "la01"]
    assert err.splitlines()[0].startswith("time limit 60 s")
    assert [line.split()[0] for line in err.splitlines()[3:]] == ["ft06", "la01"]
    assert not Path("-").exists()


def test_json_replaces_the_table(capsys) -> None:
    code, out, err = run(capsys, "solve", "ft06", "-m", "baseline", "--json")
    assert code == 0 and err == ""
    (rec,) = records(out)
    sk.validate_record(rec)
    line = one_error(*run(capsys, "solve", "ft06", "--json", "-o", "-"))
    assert line == ("error: --out: --json and --out - both write JSON Lines to stdout; "
                    "give one")


def test_short_out_flag_and_check_from_stdin(capsys, monkeypatch, tmp_path) -> None:
    path = tmp_path / "r.jsonl"
    assert run(capsys, "solve", "ft06", "-m", "baseline", "-o", str(path))[0] == 0
    code, out, _ = run(capsys, "check", "ft06", "-", stdin=path.read_text(),
                       monkeypatch=monkeypatch)
    assert code == 0
    assert out.splitlines()[0] == "<stdin>:1 ft06 baseline seed=0 [feasible]: ok"
    line = one_error(*run(capsys, "check", "-", "-", stdin="", monkeypatch=monkeypatch))
    assert line == ("error: RESULT: standard input holds one of INSTANCE and RESULT, not "
                    "both")
    line = one_error(*run(capsys, "solve", "-", "-", stdin="{}", monkeypatch=monkeypatch))
    assert line == "error: INSTANCE: standard input holds one instance; - is given 2 times"


# --- pass-through backend parameters ------------------------------------------------------


@pytest.mark.parametrize(("args", "line"), [
    (("-m", "cpsat", "--option", "cpsat.log_search_progres=true"),
     "error: --option cpsat.log_search_progres: unknown CP-SAT parameter; did you mean "
     "'cpsat.log_search_progress'? (the fields of SatParameters, e.g. "
     "cpsat.log_search_progress=true)"),
    (("-m", "cpsat", "--option", "cpsat.log_search_progress=7"),
     "error: --option cpsat.log_search_progress: must be true or false (CP-SAT's "
     "log_search_progress), got 7"),
    (("-m", "cpsat", "--option", "cpsat.num_workers=4"),
     "error: --option cpsat.num_workers: is set by schedkit from the run's workers "
     "(--workers)"),
    (("-m", "cpsat", "--option", "cpsat.relative_gap_limit=0.1"),
     "error: --option cpsat.relative_gap_limit: is set by schedkit from a zero gap: status "
     "optimal means a proof"),
    (("-m", "cpsat", "--option", "cpsat.search_branching=sideways"),
     "error: --option cpsat.search_branching: must be one of AUTOMATIC_SEARCH, FIXED_SEARCH, "
     "PORTFOLIO_SEARCH, LP_SEARCH, PSEUDO_COST_SEARCH, PORTFOLIO_WITH_QUICK_RESTART_SEARCH, "
     "HINT_SEARCH, PARTIAL_FIXED_SEARCH, RANDOMIZED_SEARCH (CP-SAT's search_branching), got "
     "'sideways'"),
    (("-m", "cpsat", "--option", "cpsta.x=1"),
     "error: --option cpsta.x: unknown backend 'cpsta'; did you mean 'cpsat'? (pass-through "
     "options: cpsat.NAME, highs.NAME)"),
    (("-m", "tabu", "--option", "cpsat.log_search_progress=true"),
     "error: --option cpsat.log_search_progress: method tabu on jobshop does not run CP-SAT "
     "(it passes no parameters to a backend; cpsat takes cpsat.*, milp with backend=highs "
     "takes highs.*)"),
    (("-m", "milp", "--option", "cpsat.log_search_progress=true"),
     "error: --option cpsat.log_search_progress: method milp on jobshop does not run CP-SAT "
     "(it takes highs.*; cpsat takes cpsat.*, milp with backend=highs takes highs.*)"),
    (("-m", "milp", "--option", "highs.presolve=off"),
     "error: --option highs.presolve: needs --option backend=highs (method milp on jobshop)"),
])
def test_pass_through_errors(capsys, args, line) -> None:
    assert one_error(*run(capsys, "solve", "ft06", *args)) == line


def test_highs_option_errors(capsys) -> None:
    pytest.importorskip("highspy")
    base = ("solve", "ft06", "-m", "milp", "--option", "backend=highs")
    assert one_error(*run(capsys, *base, "--option", "highs.presolv=off")) == (
        "error: --option highs.presolv: unknown HiGHS option; did you mean 'highs.presolve'? "
        "(HiGHS's option names, e.g. highs.presolve=off)")
    assert one_error(*run(capsys, *base, "--option", "highs.mip_rel_gap=0.1")) == (
        "error: --option highs.mip_rel_gap: is set by schedkit from a zero gap: status "
        "optimal means a proof")
    assert one_error(*run(capsys, *base, "--option", "highs.mip_max_nodes=lots")) == (
        "error: --option highs.mip_max_nodes: must be an integer (HiGHS's mip_max_nodes), "
        "got 'lots'")


def test_cpsat_parameters_reach_the_solver_and_the_record(capsys) -> None:
    code, out, err = run(capsys, "solve", "ft06", "-m", "cpsat", "--option", "hint=false",
                         "--option", "cpsat.search_branching=fixed_search", "--option",
                         "cpsat.subsolvers=default_lp,max_lp", "--json", "-v")
    assert code == 0
    (rec,) = records(out)
    assert rec["status"] == "optimal" and rec["objective"] == 55
    assert rec["options"]["cpsat.search_branching"] == "FIXED_SEARCH"
    assert rec["options"]["cpsat.subsolvers"] == ["default_lp", "max_lp"]
    params = [line for line in err.splitlines() if line.startswith("[cp-sat] Parameters:")]
    assert params and "search_branching: FIXED_SEARCH" in params[0]
    assert 'subsolvers: "default_lp"' in params[0]


def test_library_pass_through_uses_the_option_keys() -> None:
    with pytest.raises(sk.InputError) as err:
        sk.solve("ft06", "cpsat", options={"cpsat.no_such_field": 1})
    assert err.value.field == "option cpsat.no_such_field"
    res = sk.solve("ft06", "cpsat", options={"hint": False, "cpsat.cp_model_presolve": False})
    assert res.status == "optimal" and res.options["cpsat.cp_model_presolve"] is False


# --- rough edges ----------------------------------------------------------------------------


def test_generate_single_machine_takes_jobs_and_the_old_n(capsys) -> None:
    code, new, _ = run(capsys, "generate", "single-machine", "--jobs", "7", "--seed", "2")
    assert code == 0 and sk.instance_from_json(new).n_jobs == 7
    code, old, _ = run(capsys, "generate", "single-machine", "--n", "7", "--seed", "2")
    assert code == 0 and old == new
    code, out, _ = run(capsys, "generate", "single-machine", "--help")
    assert code == 0 and "--jobs" in out and "--n " not in out
    line = one_error(*run(capsys, "generate", "single-machine", "--jobs", "0"))
    assert line == "error: --jobs: must be >= 1, got 0"


def test_list_accepts_both_spellings_of_a_problem(capsys) -> None:
    code, hyphen, _ = run(capsys, "list", "--problem", "single-machine")
    assert code == 0 and "wt40-1" in hyphen
    code, underscore, _ = run(capsys, "list", "--problem", "single_machine")
    assert code == 0 and hyphen == underscore
    code, out, _ = run(capsys, "methods", "-p", "single-machine")
    assert code == 0 and out.startswith("alns")


@pytest.mark.parametrize(("args", "line"), [
    (("methods", "-p", "foo"),
     f"error: --problem: unknown problem 'foo' (choose from {PROBLEM_LIST})"),
    (("methods", "-p", "single-machne"),
     "error: --problem: unknown problem 'single-machne'; did you mean 'single_machine'? "
     f"(choose from {PROBLEM_LIST})"),
    (("list", "--problem", "dga"),
     f"error: --problem: unknown problem 'dga'; did you mean 'dag'? (choose from "
     f"{PROBLEM_LIST})"),
    (("generate", "jobshp"),
     "error: No such command 'jobshp'. Did you mean 'jobshop'? (see `schedkit generate "
     "--help`)"),
    (("solve", "ft06", "-m", "cpsta"),
     "error: --method: unknown method 'cpsta'; did you mean 'cpsat'? (known: auto, "
     "adaptive, alns, atc, balance, baseline, covert, cpop, cpsat, dispatch, dispatch-best, "
     "dp, edd, eddc, eplb, heft, hetsp, list, ls, mdd, mddc, megatron-dcp, milp, moore, peft, "
     "spt, ssdp, static, tabu, wlb, wspt; `schedkit methods` lists them)"),
    (("solve", "ft06", "-m", "tabu", "--option", "iteration=5"),
     "error: --option iteration: unknown option for method tabu on jobshop; did you mean "
     "'iterations'? (known: iterations, restart, strength, stall)"),
    (("solve", "ft06", "-m", "cpsat", "--option", "hint=maybe"),
     "error: --option hint: must be true or false for method cpsat, got 'maybe'"),
    (("solve", "ft06", "--seed", "-1"), "error: --seed: must be an integer >= 0, got -1"),
    (("solve", "ft06", "--seed", "x"),
     "error: Invalid value for '--seed': 'x' is not a valid integer. (see `schedkit solve "
     "--help`)"),
    (("info", "stg50-0000", "-I", "colour=blue"),
     "error: stg50-0000: --input-option colour: unknown option 'colour' for format 'stg' "
     "(accepted: processors)"),
])
def test_errors_name_the_flag_in_one_line(capsys, args, line) -> None:
    assert one_error(*run(capsys, *args)) == line


def test_every_instance_is_checked_before_the_header(capsys) -> None:
    line = one_error(*run(capsys, "solve", "ft06", "wt40-1", "-m", "tabu"))
    assert line == ("error: --method: wt40-1: method 'tabu' does not solve single_machine "
                    "(it solves jobshop)")
    # auto resolves per instance: ft06 runs cpsat, which has no `iterations`.
    line = one_error(*run(capsys, "solve", "wt40-1", "ft06", "--option", "iterations=5"))
    assert line.startswith("error: --option iterations: ft06: unknown option for method cpsat")


def test_highspy_hint_names_a_package_on_an_index(monkeypatch) -> None:
    import builtins

    import pulp

    from schedkit.solvers.backends.pulp import solve_pulp

    real = builtins.__import__

    def no_highspy(name, *args, **kwargs):
        if name == "highspy":
            raise ModuleNotFoundError("No module named 'highspy'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_highspy)
    prob = pulp.LpProblem("p", pulp.LpMinimize)
    x = prob.add_variable("x", lowBound=0, upBound=1)
    prob += x
    with pytest.raises(sk.InputError) as err:
        solve_pulp(prob, backend="highs", time_limit=None, workers=1, seed=0)
    assert "pip install 'highspy>=1.11,<1.13'" in str(err.value)
    assert "schedkit[highs]" not in str(err.value)


def test_auto_is_documented_per_problem(capsys) -> None:
    code, out, _ = run(capsys, "methods")
    assert code == 0
    lines = out.splitlines()
    start = lines.index("auto (the default of --method) runs, per problem, the first of these "
                        "that supports the")
    table = {line.split()[0]: line.split(None, 1)[1] for line in lines[start + 2:start + 7]}
    assert table == {
        p: ", ".join(f"{n} ({sk.get_method(n, p).kind})" for n in names)
        for p, names in sk.AUTO.items()}
    code, out, _ = run(capsys, "solve", "--help")
    flat = " ".join(out.split())
    assert "auto runs, per problem: jobshop cpsat (exact), single_machine ls" in flat
    for problem, names in sk.AUTO.items():
        assert f"{problem} {names[0]} ({sk.get_method(names[0], problem).kind})" in flat
    assert "with --time-limit: dag alns" in flat
    timed = [line for line in lines if "with a time limit:" in line]
    assert timed == [f"  {'dag':<18} with a time limit: " + ", ".join(
        f"{n} ({sk.get_method(n, 'dag').kind})" for n in sk.AUTO_TIMED["dag"])]


def test_methods_lists_each_option_of_cpsat_once(capsys) -> None:
    code, out, _ = run(capsys, "methods")
    assert code == 0
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("cpsat "))
    end = next(i for i in range(start + 1, len(lines)) if lines[i][:1].strip())
    block = [line.strip() for line in lines[start:end]]
    assert sum(line.startswith("--option hint=") for line in block) == 1
    assert sum(line.startswith("--option hint_time=") for line in block) == 1
    assert "--option hint=bool (default True):" in block  # help differs per problem …
    assert any(line.startswith("dag: hint the best cheap schedule") for line in block)
    assert any(line.startswith("--option cpsat.NAME=VALUE: a field of CP-SAT's "
                               "SatParameters") for line in block)


def test_check_labels_a_wrong_objective_as_such(capsys, tmp_path) -> None:
    path = tmp_path / "r.jsonl"
    assert run(capsys, "solve", "ft06", "-m", "baseline", "-o", str(path))[0] == 0
    rec = json.loads(path.read_text())
    wrong = dict(rec, objective=1.0)
    path.write_text(json.dumps(wrong) + "\n")
    code, out, _ = run(capsys, "check", "ft06", str(path))
    assert code == 1
    assert out.splitlines()[0] == (
        "r.jsonl:1 ft06 baseline seed=0 [feasible]: wrong objective (the schedule is feasible "
        "with objective 152; the record says 1); 5 findings")
    assert "INFEASIBLE" not in out and "infeasible schedule" not in out
    rec["solution"]["start"][0][1] = 0
    path.write_text(json.dumps(rec) + "\n")
    code, out, _ = run(capsys, "check", "ft06", str(path))
    assert code == 1
    assert out.splitlines()[0] == ("r.jsonl:1 ft06 baseline seed=0 [feasible]: infeasible "
                                   "schedule (1 violation); 1 finding")
    assert sk.check_file(sk.load("ft06"), path).verdicts == ["infeasible schedule (1 violation)"]


# --- several methods ----------------------------------------------------------------------

def test_several_methods_run_each_on_each_instance_it_solves(capsys) -> None:
    code, out, _ = run(capsys, "solve", "ft06", "wt40-1", "-m", "cpsat,ls", "-m", "baseline",
                       "--json", "-t", "10")
    assert code == 0
    got = [(r["instance"], r["method"]) for r in records(out)]
    # ls solves only the single machine; the order is instance by instance, methods as given
    assert got == [("ft06", "cpsat"), ("ft06", "baseline"),
                   ("wt40-1", "cpsat"), ("wt40-1", "ls"), ("wt40-1", "baseline")]
    best = {(r["instance"], r["method"]): r["objective"] for r in records(out)}
    assert best["ft06", "cpsat"] == 55 and best["wt40-1", "ls"] == 913


@pytest.mark.parametrize(("args", "message"), [
    (("-m", "cpsat,ls"), "error: --method: method 'ls' does not solve jobshop (it solves "
                         "single_machine)"),
    (("-m", "cpsat,"), "error: --method: empty method name in 'cpsat,'"),
    (("-m", "cpsat,tabu", "--option", "iterations=5"),
     "error: --option iterations: unknown option for method cpsat on jobshop (known: model, "
     "hint, hint_time)"),
])
def test_several_methods_are_checked_before_anything_runs(capsys, args, message) -> None:
    code, out, err = run(capsys, "solve", "ft06", *args)
    assert code == 2 and out == ""
    assert err.splitlines() == [message]
