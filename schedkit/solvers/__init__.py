"""solve(), the method registry, backend adapters and the Result schema."""

from .methods import all_methods as methods
from .registry import Method, Option, get_method, parse_option_value
from .result import RESULT_SCHEMA, STATUSES, Result, read_results, validate_record
from .solve import solve
from .verify import check, check_file

__all__ = [
    "RESULT_SCHEMA",
    "STATUSES",
    "Method",
    "Option",
    "Result",
    "check",
    "check_file",
    "get_method",
    "methods",
    "parse_option_value",
    "read_results",
    "solve",
    "validate_record",
]
