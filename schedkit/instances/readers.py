"""Readers and writers of instance files: one entry point, :func:`read`, and :func:`write`.

Formats (the keys of :data:`FORMATS`):

==============  ===============  ==============================================================
name            problem          what
==============  ===============  ==============================================================
json            any              ``schedkit/instance@1`` documents (:mod:`..jsonio`)
jobshop         jobshop          standard OR-Library job-shop text (Beasley 1990), 0-based
taillard        jobshop          Taillard's matrix layout (Taillard 1993), 1-based machines
orlib-wt        single_machine   OR-Library weighted tardiness streams ``wtN.txt``
stg             dag              Kasahara's Standard Task Graph set (Tobita & Kasahara 2002)
wfcommons       dag              WfCommons WfFormat 1.x workflow instances
heft-example    dag              the Topcuoglu, Hariri & Wu (2002) sample DAG fixture
moe-examples    expert_placement DeepSeek EPLB / vllm-ascend FlashLB example fixtures
==============  ===============  ==============================================================

Each family declares its formats beside its model (``schedkit/instances/<problem>/readers.py``,
as :class:`~schedkit.instances.text.Format` records, each module documenting its layout, source
and options); this module collects them into :data:`FORMATS`. Every reader raises
:class:`~schedkit.instances.errors.InputError` — one line naming the file, the 1-based line
where there is one, and the field — for any malformed content; never another exception type.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from .base import Instance
from .errors import InputError
from .families import FAMILIES
from .jobshop.model import JobShop
from .jsonio import instance_from_dict, write_instance_json
from .single_machine.readers import wt_size_from_name
from .text import Format, Options, is_int_token, iter_lines, parse_json, read_text

__all__ = ["FORMATS", "Format", "read", "loads", "write", "detect_format"]


def _read_json(text: str, path: Path, opts: Options) -> Instance:
    if not text.strip():
        raise InputError("file is empty")
    return instance_from_dict(parse_json(text), source=str(path))


#: Format name -> format: ``json`` first, then each family's formats in family order.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("json", "any", "schedkit/instance@1 JSON document", (), _read_json,
               write_instance_json, json_key=("schema", "schedkit")),
        *(fmt for family in FAMILIES.values() for fmt in family.formats),
    )
}

# (top-level key, format, label) of the JSON formats, in FORMATS order.
_JSON_KEYS = tuple((f.json_key[0], f.name, f.json_key[1]) for f in FORMATS.values()
                   if f.json_key is not None)


def _format_list() -> str:
    return ", ".join(FORMATS)


def _sniff_text(text: str) -> str | None:
    """Tell jobshop, taillard and stg text apart by the first lines' shape."""
    lines = list(itertools.islice(iter_lines(text), 3))
    if not lines:
        raise InputError("file is empty (no data lines)")
    first = lines[0][1]
    if first[0].lower().startswith(("nb", "times", "machines")):
        return "taillard"
    if not all(is_int_token(t) for t in first):
        return None
    second = lines[1][1] if len(lines) > 1 else []
    if len(first) == 1 and second[:1] == ["0"]:
        return "stg"
    if len(first) in (4, 6):
        return "taillard"
    if len(first) == 2:
        if second and second[0].lower().startswith("times"):
            return "taillard"
        # Taillard rows hold m durations, standard rows 2m numbers (m >= 1, so never equal).
        if len(first[1]) < 10 and second and len(second) == int(first[1]):
            return "taillard"
        return "jobshop"
    return None


def detect_format(path: Path, text: str) -> str:
    """The format of a file from its name and content (see :func:`read`)."""
    if not text.strip():
        raise InputError("file is empty")
    if path.suffix.lower() == ".json" or text.lstrip().startswith(("{", "[")):
        doc = parse_json(text)
        if isinstance(doc, dict):
            for key, fmt, _ in _JSON_KEYS:
                if key in doc:
                    return fmt
        keys = ", ".join(f"{key!r} ({what})" for key, _, what in _JSON_KEYS)
        raise InputError(f"cannot tell the JSON format: expected a top-level key {keys}; "
                         f"pass format= (formats: {_format_list()})")
    if path.suffix.lower() == ".stg":
        return "stg"
    if wt_size_from_name(path) is not None:
        return "orlib-wt"
    sniffed = _sniff_text(text)
    if sniffed is None:
        raise InputError(f"cannot tell the format; pass format= (formats: {_format_list()})")
    return sniffed


def _format(name: str | None) -> Format:
    if name not in FORMATS:
        raise InputError(f"unknown format {name!r} (formats: {_format_list()})", field="format")
    return FORMATS[name]


def read(path: str | Path, format: str | None = None, **options: Any) -> Instance:
    """Read an instance file.

    Parameters
    ----------
    path
        The file.
    format
        One of :data:`FORMATS`; ``None`` detects it: ``.json`` files by their top-level key
        (``schema`` -> json, ``workflow`` -> wfcommons, ``exec_time`` -> heft-example,
        ``examples`` -> moe-examples), ``.stg`` -> stg, ``wtN…`` -> orlib-wt, other text ->
        jobshop or taillard by the number of values on the first lines.
    **options
        Format options (see each format's module); an option the format does not take is an
        error.

    Raises
    ------
    InputError
        For unreadable or malformed files and bad options, naming file, line and field.
    """
    path = Path(path)
    spec = None if format is None else _format(format)
    try:
        text = read_text(path)
    except InputError as err:
        raise err.located(str(path)) from None
    return _parse(text, path, spec, options)


def loads(text: str, format: str | None = None, *, source: str = "<stdin>",
          **options: Any) -> Instance:
    """Read an instance from the text of a file (standard input, say), as :func:`read` reads
    the file.

    Parameters
    ----------
    text
        The file's content.
    format
        One of :data:`FORMATS`; ``None`` detects it from the content (as :func:`read` does,
        without a file name to go by: ``orlib-wt`` then needs ``format``).
    source
        What errors name as the file (and text formats take the instance's name from).
    **options
        Format options, as for :func:`read`.
    """
    spec = None if format is None else _format(format)
    return _parse(text, Path(source), spec, options)


def _parse(text: str, path: Path, spec: Format | None, options: dict[str, Any]) -> Instance:
    """The instance in ``text``, read from ``path`` (named in errors) as ``spec`` (``None``:
    detected)."""
    try:
        if spec is None:
            spec = FORMATS[detect_format(path, text)]
        return spec.reader(text, path, Options(spec.name, spec.options, options))
    except InputError as err:
        raise err.located(str(path)) from None
    except (ValueError, KeyError, TypeError, IndexError, OverflowError, RecursionError,
            ZeroDivisionError, AttributeError) as err:
        # Safety net: the readers check what they read, but bad content must never surface
        # as another exception type.
        what = spec.name if spec is not None else "instance"
        detail = str(err).splitlines()[0][:120] if str(err) else ""
        raise InputError(f"malformed {what} file ({type(err).__name__}: {detail})",
                         source=str(path)) from None


def write(instance: Instance, path: str | Path, format: str | None = None) -> None:
    """Write ``instance`` to ``path``.

    ``format=None`` picks by suffix: ``.json`` -> json, ``.stg`` -> stg, ``.txt`` for a job
    shop -> jobshop. Writers: json (every problem), jobshop and taillard (plain J||Cmax job
    shops), stg (DAGs with identical processors and data-free edges).

    Raises
    ------
    InputError
        When the format cannot hold the instance (naming why) or the file cannot be written.
    """
    if not isinstance(instance, Instance):
        raise TypeError(f"expected an Instance, got {type(instance).__name__}")
    path = Path(path)
    if format is None:
        suffix = path.suffix.lower()
        if suffix == ".json":
            format = "json"
        elif suffix == ".stg":
            format = "stg"
        elif suffix == ".txt" and isinstance(instance, JobShop):
            format = "jobshop"
        else:
            raise InputError(f"cannot tell the format from the suffix {suffix!r}; pass "
                             "format=", source=str(path))
    spec = _format(format)
    if spec.writer is None:
        writable = ", ".join(f.name for f in FORMATS.values() if f.writer is not None)
        raise InputError(f"format {spec.name!r} cannot be written (writers: {writable})",
                         field="format", source=str(path))
    try:
        spec.writer(instance, path)
    except InputError as err:
        raise err.located(str(path)) from None
    except OSError as err:
        raise InputError(f"cannot write: {err.strerror or err}", source=str(path)) from None
