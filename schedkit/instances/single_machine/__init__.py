"""One machine: ΣwjTj, ΣTj, Lmax, ΣwjCj, ΣwjUj: instance, evaluator, generator, file formats."""

from ..family import Family
from . import evaluate, generate, readers
from .model import SingleMachine

__all__ = ["FAMILY", "SingleMachine"]

FAMILY = Family(
    model=SingleMachine,
    evaluator=evaluate,
    generator=generate.single_machine,
    generator_choices=generate.CHOICES,
    formats=readers.FORMATS,
)
