"""The MoE examples reader: the EPLB README and FlashLB PR examples."""

from __future__ import annotations

from fractions import Fraction

from schedkit.instances.catalogue import load
from schedkit.instances.datadir import data_dir
from schedkit.instances.readers import read


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
