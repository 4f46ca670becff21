"""The MoE examples reader: the EPLB README and FlashLB PR examples."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from schedkit.instances.catalogue import load
from schedkit.instances.datadir import data_dir
from schedkit.instances.errors import InputError
from schedkit.instances.readers import read

from ..cases import write_file


def test_eplb_readme() -> None:
    inst = read(data_dir() / "moe/known_examples.json", example="eplb_readme_example")
    assert (inst.n_layers, inst.n_experts, inst.gpus, inst.slots_per_gpu) == (2, 12, 8, 2)
    assert inst.gpus_per_node == 4 and inst.groups == 3
    assert inst.bounds.optimum == 136 + 172
    assert "group-to-node" in inst.bounds.source


def test_flashlb_exact_optimum() -> None:
    inst = load("flashlb-pr")
    assert (inst.n_layers, inst.n_experts, inst.gpus, inst.slots_per_gpu) == (1, 8, 8, 2)
    assert inst.bounds.upper == float(Fraction(590, 3)) == inst.bounds.lower
    assert "590/3" in inst.bounds.source and "560/3 + 10" in inst.bounds.source


# --- the model's caps under the example's keys ----------------------------------------------------
@pytest.mark.parametrize(("edit", "field"), [
    ({"weight": [[1e300] * 12, [1e300] * 12]}, "examples[0].weight[0][0]"),
    ({"num_gpus": 16384, "num_replicas": 16384}, "examples[0].num_gpus"),
])
def test_caps_name_the_example_field(tmp_path: Path, edit, field) -> None:
    doc = json.loads((data_dir() / "moe/known_examples.json").read_text())
    doc["examples"][0].update(edit)
    with pytest.raises(InputError) as err:
        read(write_file(tmp_path, "m.json", json.dumps(doc)))
    assert err.value.field == field, err.value


def test_bundled_examples_load_under_the_caps() -> None:
    assert load("eplb-readme").n_experts == 12 and load("flashlb-pr").n_layers >= 1
