"""The instance schema, readers, generators and the evaluator (imports nothing else of schedkit)."""

from .catalogue import CatalogueEntry, catalogue, load
from .errors import InputError
from .evaluate import Evaluation, Violation, check, evaluate, lower_bound, metrics, objective
from .generators import GENERATORS, generate
from .generators import options as generator_options
from .jsonio import (
    instance_from_json,
    instance_sha256,
    instance_to_json,
    read_instance_json,
    write_instance_json,
)
from .model import (
    DAG,
    PROBLEMS,
    SCHEMA,
    Bounds,
    ExpertPlacement,
    FlexSPCost,
    Instance,
    JobShop,
    SequenceParallel,
    SingleMachine,
)
from .readers import FORMATS, read, write
from .robustness import Robustness, replay, robustness

__all__ = [
    "DAG",
    "FORMATS",
    "GENERATORS",
    "PROBLEMS",
    "Robustness",
    "SCHEMA",
    "Bounds",
    "CatalogueEntry",
    "Evaluation",
    "ExpertPlacement",
    "FlexSPCost",
    "InputError",
    "Instance",
    "JobShop",
    "SequenceParallel",
    "SingleMachine",
    "Violation",
    "catalogue",
    "check",
    "evaluate",
    "generate",
    "generator_options",
    "instance_from_json",
    "instance_sha256",
    "instance_to_json",
    "load",
    "lower_bound",
    "metrics",
    "objective",
    "read",
    "read_instance_json",
    "replay",
    "robustness",
    "write",
    "write_instance_json",
]
