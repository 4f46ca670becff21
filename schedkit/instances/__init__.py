"""The instance schema, readers, generators and the evaluator (imports nothing else of schedkit).

Shared machinery sits at this level (the envelope in :mod:`.base`, the checking plumbing in
:mod:`.checking`, the one table of families in :mod:`.families`); each problem family has its
own folder with ``model.py``, ``evaluate.py``, ``generate.py`` and, where it has file formats,
``readers.py``.
"""

from .base import SCHEMA, Bounds, Instance
from .catalogue import CatalogueEntry, catalogue, load
from .dag.model import DAG
from .dag.robustness import Robustness, replay, robustness
from .datadir import data_dir, describe_data_dir
from .errors import InputError, did_you_mean
from .evaluate import (
    Evaluation,
    Violation,
    check,
    evaluate,
    lower_bound,
    metrics,
    objective,
    schedule,
)
from .expert_placement.model import ExpertPlacement
from .expert_placement.plan import (
    Plan,
    from_eplb_arrays,
    read_loads,
    read_plan,
    to_eplb_arrays,
    write_plan,
)
from .families import FAMILIES, PROBLEMS, problem_id
from .generators import GENERATORS, generate
from .generators import options as generator_options
from .jobshop.model import JobShop
from .jsonio import (
    instance_from_json,
    instance_sha256,
    instance_to_json,
    read_instance_json,
    write_instance_json,
)
from .readers import FORMATS, loads, read, write
from .schemas import instance_schema
from .sequence_parallel.model import FlexSPCost, SequenceParallel
from .single_machine.model import SingleMachine

__all__ = [
    "DAG",
    "FAMILIES",
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
    "Plan",
    "SequenceParallel",
    "SingleMachine",
    "Violation",
    "catalogue",
    "data_dir",
    "describe_data_dir",
    "did_you_mean",
    "problem_id",
    "check",
    "evaluate",
    "from_eplb_arrays",
    "generate",
    "generator_options",
    "instance_from_json",
    "instance_schema",
    "instance_sha256",
    "instance_to_json",
    "load",
    "loads",
    "lower_bound",
    "metrics",
    "schedule",
    "read_loads",
    "read_plan",
    "objective",
    "read",
    "read_instance_json",
    "replay",
    "robustness",
    "to_eplb_arrays",
    "write",
    "write_instance_json",
    "write_plan",
]
