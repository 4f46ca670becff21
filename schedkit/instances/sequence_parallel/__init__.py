"""Sequence-parallel groups and micro-batches for variable-length sequences (FlexSP's
model): instance, evaluator, generator."""

from ..family import Family
from . import evaluate, generate
from .model import FlexSPCost, SequenceParallel

__all__ = ["FAMILY", "SequenceParallel", "FlexSPCost"]

FAMILY = Family(
    model=SequenceParallel,
    evaluator=evaluate,
    generator=generate.sequence_parallel,
    generator_choices=generate.CHOICES,
)
