"""schedkit: exact CP-SAT/MILP models and fast heuristics for scheduling, on one instance schema
and one results schema.

``schedkit.bench`` (the benchmark runner behind ``schedkit bench``) is loaded on first use.
"""

from typing import TYPE_CHECKING, Any

from . import heuristics
from .instances import (
    DAG,
    FORMATS,
    GENERATORS,
    PROBLEMS,
    Bounds,
    CatalogueEntry,
    Evaluation,
    ExpertPlacement,
    FlexSPCost,
    InputError,
    Instance,
    JobShop,
    Plan,
    Robustness,
    SequenceParallel,
    SingleMachine,
    Violation,
    catalogue,
    data_dir,
    describe_data_dir,
    evaluate,
    from_eplb_arrays,
    generate,
    generator_options,
    instance_from_json,
    instance_schema,
    instance_sha256,
    instance_to_json,
    load,
    loads,
    lower_bound,
    metrics,
    read,
    read_loads,
    read_plan,
    replay,
    robustness,
    schedule,
    to_eplb_arrays,
    write_plan,
)
from .instances import write as save
from .plotting import plot_gantt, plot_result, save_plot
from .solvers import (
    AUTO,
    AUTO_TIMED,
    Kind,
    Method,
    MethodResult,
    Option,
    Result,
    RunContext,
    Status,
    StopReason,
    check,
    check_file,
    find_method,
    gap_to_best_known_text,
    get_method,
    methods,
    parse_option_value,
    read_results,
    resolve_method,
    schemas,
    solve,
    to_dataframe,
    unfinished_result,
    validate_record,
    warm_up,
)
from .solvers.expert_placement.rolling import rolling, summarise_rolling

__version__ = "0.1.0"

__all__ = [
    "AUTO",
    "AUTO_TIMED",
    "DAG",
    "FORMATS",
    "GENERATORS",
    "PROBLEMS",
    "Robustness",
    "Bounds",
    "CatalogueEntry",
    "Evaluation",
    "ExpertPlacement",
    "FlexSPCost",
    "InputError",
    "Instance",
    "JobShop",
    "Plan",
    "Kind",
    "Method",
    "MethodResult",
    "Option",
    "Result",
    "RunContext",
    "SequenceParallel",
    "SingleMachine",
    "Status",
    "StopReason",
    "Violation",
    "catalogue",
    "check",
    "check_file",
    "data_dir",
    "describe_data_dir",
    "evaluate",
    "find_method",
    "from_eplb_arrays",
    "gap_to_best_known_text",
    "generate",
    "generator_options",
    "heuristics",
    "get_method",
    "instance_from_json",
    "instance_schema",
    "instance_sha256",
    "instance_to_json",
    "load",
    "loads",
    "lower_bound",
    "methods",
    "metrics",
    "parse_option_value",
    "plot_gantt",
    "plot_result",
    "read",
    "read_loads",
    "read_plan",
    "read_results",
    "resolve_method",
    "replay",
    "robustness",
    "rolling",
    "summarise_rolling",
    "save",
    "save_plot",
    "schedule",
    "schemas",
    "solve",
    "unfinished_result",
    "to_dataframe",
    "to_eplb_arrays",
    "validate_record",
    "warm_up",
    "write_plan",
]

if TYPE_CHECKING:
    from . import bench as bench


def __getattr__(name: str) -> Any:
    # The runner is a front end over this API (it imports schedkit), so it is loaded lazily:
    # `import schedkit` stays free of it and of a circular import.
    if name == "bench":
        import importlib

        return importlib.import_module(f"{__name__}.bench")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
