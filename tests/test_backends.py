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
