"""Small fixtures shared by the per-family tests and the cross-cutting ones at this level.

The evaluator's hand-checked instances (one per problem, with a feasible solution where the
tests need one), the folder of small data files, and two helpers.
"""

from __future__ import annotations

from pathlib import Path

from schedkit.instances import DAG, ExpertPlacement, JobShop, SequenceParallel, SingleMachine

DATA = Path(__file__).resolve().parent / "data"


def write_file(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def kinds(violations) -> set[str]:
    return {v.kind for v in violations}


# Two jobs, two machines: J0 = (m0, 3) then (m1, 2); J1 = (m1, 4) then (m0, 1).
JS = JobShop.from_routes([[(0, 3), (1, 2)], [(1, 4), (0, 1)]], name="two-by-two",
                         release=[0, 1], due=[5, 6], weight=[2, 1])
JS_OK = {"start": [[0, 5], [1, 5]]}  # J1 waits for m1 until 1 (release); J0 op1 after J1's op0

SM = SingleMachine(processing=[3, 2, 4], due=[3, 9, 5], weight=[1, 2, 3], release=[0, 0, 1],
                   name="three-jobs")

# HEFT-style: 3 tasks, 2 processors, edge 0->1 with 6 units of data, bandwidth 2.
DG = DAG(processors=2, cost=[[2, 3], [4, 1], [1, 1]], edges=[[0, 1], [0, 2]],
         edge_data=[6, 0], bandwidth=2.0, name="three-tasks")

SP = SequenceParallel(
    devices=4, devices_per_node=2, memory_tokens=100, degrees=[1, 2, 4],
    lengths=[50, 150, 30, 300],
    cost={"a1": 1e-6, "a2": 1e-3, "b1": 0.01, "comm_bytes_per_token": 1e6,
          "bandwidth": {"2": 1.0, "4": 0.5}},
    name="four-seqs",
)
SP_OK = {"microbatches": [
    [{"devices": [0], "sequences": [0, 2]}, {"devices": [1, 2], "sequences": [1]}],
    [{"devices": [0, 1, 2, 3], "sequences": [3]}],
]}

EP = ExpertPlacement(gpus=2, gpus_per_node=1, slots_per_gpu=2, load=[[4, 2, 2], [1, 1, 6]],
                     traffic=[[[1, 0, 0], [0, 2, 0], [0, 0, 3]]], intra_node=1, inter_node=5,
                     objective="load_and_traffic")
EP_OK = {"replicas": [[[0, 1], [0], [1]], [[0], [1], [0, 1]]]}
