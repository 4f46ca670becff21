"""Bad sequence-parallel input gets one clear line: in Python an InputError naming the field,
through the CLI exit 2 and one line on stderr naming the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import schedkit as sk
from schedkit.cli import main
from schedkit.instances import InputError, SequenceParallel

COST = {"a1": 1e-8, "a2": 2e-4, "b1": 0.6, "comm_bytes_per_token": 2097152,
        "bandwidth": {"2": 60.0, "4": 80.0}}
BASE: dict[str, Any] = {"devices": 4, "devices_per_node": 4, "memory_tokens": 100,
                        "degrees": [1, 2, 4], "lengths": [50, 120, 300], "cost": COST}

BAD = [
    # A sequence longer than the largest group holds (4 devices x 100 tokens).
    ({"lengths": [50, 401]}, "data.lengths[1]", "exceeds the memory of the largest group"),
    # A degree above N.
    ({"degrees": [1, 2, 8], "cost": {**COST, "bandwidth": {"2": 1, "4": 1, "8": 1}}},
     "data.degrees[2]", "degree 8 is above devices=4"),
    # A missing bandwidth for an allowed degree.
    ({"cost": {**COST, "bandwidth": {"2": 60.0}}}, "data.cost.bandwidth",
     "no bandwidth for degree 4"),
    ({"degrees": [1, 3, 4], "cost": COST}, "data.cost.bandwidth", "no bandwidth for degree 3"),
    ({"degrees": [2, 2, 4]}, "data.degrees", "increasing"),
    ({"degrees": [0, 2]}, "data.degrees[0]", "must be >= 1"),
    ({"devices_per_node": 3}, "data.devices_per_node", "must divide devices=4"),
    ({"memory_tokens": 0}, "data.memory_tokens", "must be >= 1"),
    ({"cost": {**COST, "bandwidth": {"2": 0.0, "4": 1.0}}}, "data.cost.bandwidth.2", "> 0"),
    ({"lengths": []}, "data.lengths", "at least one sequence"),
]


@pytest.mark.parametrize(("data", "field", "words"), BAD)
def test_bad_instance(data, field, words):
    with pytest.raises(InputError) as err:
        SequenceParallel(**{**BASE, **data})
    assert err.value.field == field, err.value
    assert words in str(err.value) and "\n" not in str(err.value)


def _file(tmp_path: Path, data: dict[str, Any]) -> Path:
    doc = {"schema": "schedkit/instance@1", "problem": "sequence_parallel", "name": "bad",
           "objective": "step_time", "data": {**BASE, **data}}
    path = tmp_path / "bad-sp.json"
    path.write_text(json.dumps(doc, indent=1))
    return path


def _one_line(capsys, args: list[str]) -> str:
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(("data", "field", "words"), BAD[:4])
def test_bad_file_through_the_cli(capsys, tmp_path, data, field, words):
    line = _one_line(capsys, ["info", str(_file(tmp_path, data))])
    assert "bad-sp.json" in line and field in line and words in line


@pytest.mark.parametrize(("flags", "words"), [
    (["--devices", "128"], "no all-to-all bandwidth for degree 128"),
    (["--devices", "16", "--degrees", "1,2,32"], "degree 32 is above devices=16"),
    (["--devices", "16", "--max-length", "393216"], "exceed what the largest group holds"),
    (["--preset", "30b", "--devices", "8"], "no room for activations"),
])
def test_bad_generate_flags_through_the_cli(capsys, flags, words):
    line = _one_line(capsys, ["generate", "sequence_parallel", *flags])
    assert words in line


def test_method_refusal_through_the_cli(capsys, tmp_path):
    inst = sk.generate("sequence_parallel", devices=8, sequences=64, source="github_like")
    path = tmp_path / "long.json"
    path.write_text(sk.instance_to_json(inst))
    line = _one_line(capsys, ["solve", str(path), "--method", "wlb"])
    assert "wlb packs onto single devices" in line
