"""solve(), the method registry, the backend runners, each problem's adapters, and the Result
schema.

Shared machinery sits at this level (:mod:`.registry`, :mod:`.solve`, :mod:`.result`,
:mod:`.common`, :mod:`.options`, :mod:`.backends`); each problem has its own folder whose
``methods.py`` declares its methods, collected by :mod:`.methods`.
"""

from .frames import to_dataframe
from .methods import AUTO, AUTO_TIMED, find_method, get_method, warm_up
from .methods import all_methods as methods
from .registry import Kind, Method, MethodResult, Option, RunContext, parse_option_value
from .result import (
    RESULT_SCHEMA,
    STATUSES,
    Result,
    Status,
    StopReason,
    gap_to_best_known_text,
    read_results,
    validate_record,
)
from .schemas import schemas
from .solve import resolve_method, solve, unfinished_result
from .verify import check, check_file

__all__ = [
    "AUTO",
    "AUTO_TIMED",
    "RESULT_SCHEMA",
    "STATUSES",
    "Kind",
    "Method",
    "MethodResult",
    "Option",
    "Result",
    "RunContext",
    "Status",
    "StopReason",
    "check",
    "check_file",
    "find_method",
    "gap_to_best_known_text",
    "get_method",
    "methods",
    "parse_option_value",
    "read_results",
    "resolve_method",
    "schemas",
    "solve",
    "unfinished_result",
    "to_dataframe",
    "validate_record",
    "warm_up",
]
