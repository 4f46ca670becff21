"""The instance schema, readers, generators and the evaluator (imports nothing else of schedkit)."""

from .errors import InputError
from .jsonio import instance_sha256, instance_to_json, read_instance_json, write_instance_json
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

__all__ = [
    "DAG",
    "PROBLEMS",
    "SCHEMA",
    "Bounds",
    "ExpertPlacement",
    "FlexSPCost",
    "InputError",
    "Instance",
    "JobShop",
    "SequenceParallel",
    "SingleMachine",
    "instance_sha256",
    "instance_to_json",
    "read_instance_json",
    "write_instance_json",
]
