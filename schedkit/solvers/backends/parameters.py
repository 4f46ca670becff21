"""Backend parameters passed through from a user (``--option cpsat.KEY=VALUE``,
``options={"highs.KEY": VALUE}``), checked like every other option before a run starts.

``cpsat.*`` names a field of CP-SAT's ``SatParameters``: the field and its type come from the
protobuf descriptor, so whatever the installed OR-Tools knows is accepted and nothing else.
``highs.*`` names a HiGHS option (for ``milp`` with ``backend=highs``): the names and types
come from highspy. A few parameters are schedkit's own to set — the time limit, threads and
seed follow the run's ``time_limit``, ``workers`` and ``seed``, and the gap limits stay zero
because a status ``optimal`` must mean a proof — so they are refused with the reason.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from ...instances import InputError, did_you_mean

__all__ = ["BACKEND_PARAMETERS", "apply_cpsat", "check_parameter"]

#: Pass-through prefixes: prefix -> the solver whose parameters it names.
BACKEND_PARAMETERS = {"cpsat": "CP-SAT", "highs": "HiGHS"}

# Parameters schedkit sets itself: name -> why (the run setting that decides it).
_CPSAT_OWN = {
    "max_time_in_seconds": "the run's time limit (--time-limit)",
    "num_workers": "the run's workers (--workers)",
    "num_search_workers": "the run's workers (--workers)",
    "random_seed": "the run's seed (--seed)",
    "catch_sigint_signal": "schedkit's Ctrl-C handling",
    "relative_gap_limit": "a zero gap: status optimal means a proof",
    "absolute_gap_limit": "a zero gap: status optimal means a proof",
}
_HIGHS_OWN = {
    "time_limit": "the run's time limit (--time-limit)",
    "threads": "the run's workers (--workers)",
    "random_seed": "the run's seed (--seed)",
    "mip_rel_gap": "a zero gap: status optimal means a proof",
    "mip_abs_gap": "a zero gap: status optimal means a proof",
}


def _refuse(key: str, message: str) -> InputError:
    return InputError(message, field=f"option {key}")


@functools.cache
def _sat_fields() -> Mapping[str, Any]:
    from ortools.sat import sat_parameters_pb2

    fields: Mapping[str, Any] = sat_parameters_pb2.SatParameters.DESCRIPTOR.fields_by_name
    return fields


def _scalar(key: str, value: Any, kind: type, what: str) -> Any:
    """``value`` (text already parsed by the option reader) as a ``kind`` scalar."""
    if kind is bool:
        if isinstance(value, bool):
            return value
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif kind is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    else:
        return str(value)
    name = {bool: "true or false", int: "an integer", float: "a number"}[kind]
    raise _refuse(key, f"must be {name} ({what}), got {value!r}")


def _cpsat(key: str, name: str, value: Any) -> Any:
    fields = _sat_fields()
    if name in _CPSAT_OWN:
        raise _refuse(key, f"is set by schedkit from {_CPSAT_OWN[name]}")
    field = fields.get(name)
    if field is None:
        near = did_you_mean(key, ["cpsat." + f for f in fields])
        raise _refuse(key, f"unknown CP-SAT parameter{near} (the fields "
                           "of SatParameters, e.g. cpsat.log_search_progress=true)")
    what = f"CP-SAT's {field.name}"
    F = field  # a FieldDescriptor: its CPPTYPE_* constants name the value types
    kinds = {F.CPPTYPE_BOOL: bool, F.CPPTYPE_INT32: int, F.CPPTYPE_INT64: int,
             F.CPPTYPE_UINT32: int, F.CPPTYPE_UINT64: int, F.CPPTYPE_DOUBLE: float,
             F.CPPTYPE_FLOAT: float, F.CPPTYPE_STRING: str}

    def one(v: Any) -> Any:
        if field.cpp_type == F.CPPTYPE_ENUM:
            names = [e.name for e in field.enum_type.values]
            if isinstance(v, int) and not isinstance(v, bool) and \
                    v in field.enum_type.values_by_number:
                return field.enum_type.values_by_number[v].name
            text = str(v).upper()
            if text not in names:
                raise _refuse(key, f"must be one of {', '.join(names)} ({what}), got {v!r}"
                                   f"{did_you_mean(text, names)}")
            return text
        return _scalar(key, v, kinds[field.cpp_type], what)

    if _is_repeated(field):
        values = value if isinstance(value, list) else [p.strip() for p in str(value).split(",")
                                                        if p.strip()]
        return [one(v) for v in values]
    if isinstance(value, list):
        raise _refuse(key, f"takes one value ({what}), got a list")
    return one(value)


def _is_repeated(field: Any) -> bool:
    # protobuf 5+ says ``is_repeated``; older releases only ``label``.
    flag = getattr(field, "is_repeated", None)
    if flag is not None:
        return bool(flag)
    return bool(field.label == field.LABEL_REPEATED)


@functools.cache
def _highs_options() -> Mapping[str, type]:
    """HiGHS option name -> Python type, from the installed highspy."""
    try:
        import highspy
    except ImportError:
        raise InputError("HiGHS options need highspy: pip install 'highspy>=1.11,<1.13' "
                         "(in a checkout, pip install '.[highs]' pins it)",
                         field="option highs") from None
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    names = [n for n in dir(h.getOptions()) if not n.startswith("_")]
    kinds = {"kBool": bool, "kInt": int, "kDouble": float, "kString": str}
    out: dict[str, type] = {}
    for name in names:
        status, kind = h.getOptionType(name)
        if status == highspy.HighsStatus.kOk and kind.name in kinds:
            out[name] = kinds[kind.name]
    return out


def _highs(key: str, name: str, value: Any) -> Any:
    if name in _HIGHS_OWN:
        raise _refuse(key, f"is set by schedkit from {_HIGHS_OWN[name]}")
    options = _highs_options()
    if name not in options:
        near = did_you_mean(key, ["highs." + o for o in options])
        raise _refuse(key, f"unknown HiGHS option{near} (HiGHS's "
                           "option names, e.g. highs.presolve=off)")
    kind = options[name]
    if kind is str and isinstance(value, bool):
        value = "on" if value else "off"  # HiGHS's on/off options are strings
    return _scalar(key, value, kind, f"HiGHS's {name}")


def check_parameter(key: str, value: Any) -> Any:
    """The value of pass-through parameter ``key`` (``"cpsat.NAME"`` or ``"highs.NAME"``),
    checked against the backend's own list and converted to its type.

    Raises
    ------
    InputError
        For an unknown backend or parameter (with the closest name), a value of the wrong type,
        or a parameter schedkit sets itself.
    """
    prefix, _, name = key.partition(".")
    if prefix == "cpsat":
        return _cpsat(key, name, value)
    if prefix == "highs":
        return _highs(key, name, value)
    listed = ", ".join(p + ".NAME" for p in BACKEND_PARAMETERS)
    raise _refuse(key, f"unknown backend {prefix!r}{did_you_mean(prefix, BACKEND_PARAMETERS)} "
                       f"(pass-through options: {listed})")


def apply_cpsat(prm: Any, parameters: Mapping[str, Any]) -> None:
    """Set checked ``SatParameters`` fields (names without the ``cpsat.`` prefix, enum values
    by name) on ``prm``, the solver's parameters (OR-Tools' wrapper or the protobuf
    message)."""
    fields = _sat_fields()
    for name, value in parameters.items():
        field = fields[name]
        enum = field.enum_type

        def member(v: Any, enum: Any = enum) -> Any:
            if enum is None:
                return v
            kind = getattr(type(prm), enum.name, None)  # OR-Tools' wrapper: its enum class
            if kind is not None and hasattr(kind, "__members__"):
                return kind.__members__[v]
            return enum.values_by_name[v].number  # a protobuf message takes the number

        if _is_repeated(field):
            getattr(prm, name).extend([member(v) for v in value])
        else:
            setattr(prm, name, member(value))
