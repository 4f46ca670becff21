"""Task graphs on heterogeneous processors with communication (HEFT's problem): instance,
evaluator, generator, file formats."""

from ..family import Family
from . import evaluate, generate, readers
from .model import DAG

__all__ = ["FAMILY", "DAG"]

FAMILY = Family(
    model=DAG,
    evaluator=evaluate,
    generator=generate.dag,
    generator_choices=generate.CHOICES,
    formats=readers.FORMATS,
)
