"""The DAG kernels give the same schedules compiled and as plain Python (NUMBA_DISABLE_JIT=1),
and the same as the pure-Python HEFT of the speed benchmark."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import schedkit as sk
from schedkit.heuristics import dag as H

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json
import schedkit as sk
from schedkit.heuristics import dag as H
out = {}
for seed, shape in enumerate([dict(tasks=40, processors=3), dict(tasks=25, processors=4,
                              ccr=3.0), dict(tasks=30, processors=2, heterogeneity=0.0)]):
    inst = sk.generate("dag", seed=seed + 1, **shape)
    runs = [H.heft(inst), H.heft(inst, insertion=False), H.cpop(inst), H.peft(inst)]
    runs += [H.list_scheduling(inst, p, seed=3) for p in H.LIST_PRIORITIES]
    out[inst.name] = [[s.method, s.processor.tolist(), s.start.tolist(), s.makespan]
                      for s in runs]
    out[inst.name + "-metrics"] = H.schedule_metrics(inst, runs[0].makespan)
print(json.dumps(out))
"""


def test_dag_kernels_agree_with_and_without_jit(jit_outputs) -> None:
    compiled, interpreted = jit_outputs(SCRIPT)
    assert compiled == interpreted
    assert len(compiled) == 6


def _reference():
    spec = importlib.util.spec_from_file_location(
        "heft_reference", ROOT / "benchmarks" / "heft_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_heft_matches_the_pure_python_reference_bit_for_bit() -> None:
    """The speed benchmark compares like with like: same schedule, both gap searches."""
    ref = _reference()
    for seed, shape in ((1, {"tasks": 300, "processors": 16}),
                        (2, {"tasks": 200, "processors": 5, "ccr": 4.0}),
                        (3, {"tasks": 150, "processors": 3, "heterogeneity": 0.2})):
        inst = sk.generate("dag", seed=seed, **shape)
        fast = H.heft(inst)
        for search in ("linear", "bisect"):
            proc, start = ref.heft_python(inst, search)
            assert proc == fast.processor.tolist()
            assert start == fast.start.tolist()
