"""MoE expert placement and replication on GPUs: instance, evaluator, generator, file formats."""

from ..family import Family
from . import evaluate, generate, readers
from .model import ExpertPlacement

__all__ = ["FAMILY", "ExpertPlacement"]

FAMILY = Family(
    model=ExpertPlacement,
    evaluator=evaluate,
    generator=generate.expert_placement,
    generator_choices=generate.CHOICES,
    formats=readers.FORMATS,
)
