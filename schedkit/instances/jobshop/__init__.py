"""The job shop J‖Cmax with release dates, due dates and weights: instance, evaluator,
generator, file formats."""

from ..family import Family
from . import evaluate, generate, readers
from .model import JobShop

__all__ = ["FAMILY", "JobShop"]

FAMILY = Family(
    model=JobShop,
    evaluator=evaluate,
    generator=generate.jobshop,
    generator_choices=generate.CHOICES,
    formats=readers.FORMATS,
)
