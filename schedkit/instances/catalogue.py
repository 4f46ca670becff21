"""The bundled instances by name: :func:`catalogue` lists them, :func:`load` reads one.

The catalogue is built once per data folder (:func:`~schedkit.instances.datadir.data_dir`) by
listing file names, without parsing instance files; bounds are looked up when an instance is
loaded. Bundled names:

==========================  ====================================================================
names                       what (file under the data folder)
==========================  ====================================================================
``ft06`` ``la01`` ``abz5``  job shop, the usual names (``jobshop/standard/<name>.txt``); the
``orb01`` ``swv01``         Taillard set is ``ta01`` … ``ta80`` (files ``taNNjs.txt``); bounds
``yn1`` ``ta01`` …          from ``jobshop/bks.json`` (ScheduleOpt/benchmarks JSPLib, CC BY-SA 4.0)
``wt40-1`` … ``wt40-125``,  OR-Library 1||ΣwjTj (``tardiness/orlib/wtN.txt``, instance k), best
``wt100-1`` …               known from the OR-Library files (format ``orlib-wt``)
``stg50-0000`` …,           Kasahara STG graphs (``dag/stg/<n>/randNNNN.stg``), P|prec|Cmax on
``stg100-0000`` …           ``processors=4`` by default (``load("stg50-0000", processors=8)``)
``wf-1000genome``           WfCommons workflow instances (``dag/wfcommons/``), platform options
``wf-blast-small``          of the ``wfcommons`` format (processors, speeds/heterogeneity,
``wf-epigenomics``          bandwidth/ccr, time_scale); short names in :data:`WF_NAMES`, other
``wf-helloworld-chain``     files there are named ``wf-<file stem>``
``wf-helloworld-forkjoin``
``wf-montage``
``wf-seismology``
``wf-srasearch``
``topcuoglu2002``           the HEFT paper's 10-task sample DAG (``dag/canonical/``), optimum 73
``eplb-readme``,            MoE expert-placement examples (``moe/known_examples.json``)
``flashlb-pr``
==========================  ====================================================================

Loaded instances carry ``meta["family"]``, ``meta["source_file"]`` (relative to the data
folder) and ``meta["license"]`` (from the folder's README).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .base import Bounds, Instance
from .dag.readers import stg_name
from .datadir import data_dir, describe_data_dir
from .errors import InputError
from .families import problem_id
from .readers import FORMATS, read
from .single_machine.readers import count_wt_instances, wt_size_from_name
from .text import file_cache, read_text

__all__ = ["CatalogueEntry", "catalogue", "load", "WF_NAMES"]


@dataclass(frozen=True)
class CatalogueEntry:
    """One bundled instance.

    Parameters
    ----------
    name
        Bundled name, e.g. ``"ta01"``.
    problem
        Problem family of the schema (``"jobshop"``, ``"dag"``, ...).
    family
        Benchmark family, e.g. ``"ta"``, ``"wt40"``, ``"stg50"``, ``"wfcommons"``.
    path
        File, relative to the data folder (POSIX separators).
    format
        Reader format name (a key of :data:`~schedkit.instances.readers.FORMATS`).
    options
        Reader options that select this instance (e.g. ``{"instance": 3}``) or set its default
        platform (``{"processors": 4}``).
    description
        One line for listings.
    """

    name: str
    problem: str
    family: str
    path: str
    format: str
    options: Mapping[str, Any] = field(default_factory=dict, hash=False)
    description: str = ""

    @property
    def full_path(self) -> Path:
        """The file's absolute path in the current data folder."""
        return data_dir() / self.path


# Short names of the bundled WfCommons instances (one per application).
WF_NAMES = {
    "1000genome-chameleon-2ch-100k-001.json": "wf-1000genome",
    "blast-chameleon-small-001.json": "wf-blast-small",
    "epigenomics-chameleon-hep-1seq-100k-001.json": "wf-epigenomics",
    "helloworld-chain-5-chameleon.json": "wf-helloworld-chain",
    "helloworld-forkjoin-10-chameleon.json": "wf-helloworld-forkjoin",
    "montage-chameleon-dss-05d-001.json": "wf-montage",
    "seismology-chameleon-100p-001.json": "wf-seismology",
    "srasearch-chameleon-10a-001.json": "wf-srasearch",
}
_EXAMPLE_NAMES = {"eplb_readme_example": "eplb-readme", "flashlb_pr_example": "flashlb-pr"}

_JOBSHOP_FAMILIES = {
    "ft": "Fisher & Thompson 1963",
    "la": "Lawrence 1984",
    "abz": "Adams, Balas & Zawack 1988",
    "orb": "Applegate & Cook 1991",
    "swv": "Storer, Wu & Vaccari 1992",
    "yn": "Yamada & Nakano 1992",
    "ta": "Taillard 1993",
}
_BKS_SOURCE = "ScheduleOpt/benchmarks JSPLib bks.json (CC BY-SA 4.0)"

# Licence notes, from the README of each data folder.
_LICENSES = {
    "jobshop": "CC BY-SA 4.0 (ScheduleOpt/benchmarks JSPLib; credit it and the instance "
               "authors)",
    "orlib-wt": "OR-Library test data, no licence stated; cite Beasley 1990 and Crauwels, "
                "Potts & Van Wassenhove 1998",
    "stg": "Copyright Kasahara Lab., Waseda Univ., published for evaluating scheduling "
           "algorithms; cite Tobita & Kasahara 2002",
    "wfcommons": "LGPL-3.0 (wfcommons/WfInstances)",
    "heft-example": "transcribed from Topcuoglu, Hariri & Wu, IEEE TPDS 13(3), 2002",
    "eplb_readme_example": "MIT (deepseek-ai/EPLB README)",
    "flashlb_pr_example": "from the description of vllm-project/vllm-ascend PR #3042 "
                          "(repository Apache-2.0)",
}


def _natural(name: str) -> tuple[Any, ...]:
    """Sort key that puts ``la2`` before ``la10``."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))


def _first_line(path: Path) -> list[str]:
    """Tokens of the first data line (for sizes in descriptions; no full parse)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.strip() and not line.lstrip().startswith("#"):
                    return line.split()
    except OSError:
        pass
    return []


def _jobshop_family(name: str) -> str:
    prefix = re.match(r"[a-z]*", name)  # always matches (possibly the empty string)
    return (prefix.group() if prefix else "") or "jobshop"


def _jobshop(root: Path) -> list[CatalogueEntry]:
    order = list(_JOBSHOP_FAMILIES)
    named = []
    for path in (root / "jobshop" / "standard").glob("*.txt"):
        match = re.fullmatch(r"(ta\d+)js", path.stem)  # ta01js.txt is the usual "ta01"
        named.append((match.group(1) if match else path.stem, path))

    def key(item: tuple[str, Path]) -> tuple[Any, ...]:
        family = _jobshop_family(item[0])
        return (order.index(family) if family in order else len(order), _natural(item[0]))

    out = []
    for name, path in sorted(named, key=key):
        family = _jobshop_family(name)
        head = _first_line(path)
        size = f", {head[0]}x{head[1]}" if len(head) >= 2 else ""
        source = _JOBSHOP_FAMILIES.get(family, "job shop")
        out.append(CatalogueEntry(name, "jobshop", family, path.relative_to(root).as_posix(),
                                  "jobshop", {}, f"job shop J||Cmax ({source}){size}"))
    return out


def _orlib_wt(root: Path) -> list[CatalogueEntry]:
    out = []
    for path in sorted((root / "tardiness" / "orlib").glob("wt*.txt"), key=lambda p: _natural(
            p.stem)):
        n = wt_size_from_name(path)
        if n is None or path.stem != f"wt{n}":
            continue
        for k in range(1, count_wt_instances(path, n) + 1):
            # OR-Library order: 25 (RDD, TF) pairs, 5 replicates each (tardiness/README.md).
            rdd = 0.2 * (1 + (k - 1) // 25)
            tf = 0.2 * (1 + ((k - 1) % 25) // 5)
            out.append(CatalogueEntry(
                f"wt{n}-{k}", "single_machine", f"wt{n}", path.relative_to(root).as_posix(),
                "orlib-wt", {"instance": k},
                f"1||ΣwjTj, OR-Library n={n} #{k} (RDD {rdd:.1f}, TF {tf:.1f})"))
    return out


def _stg(root: Path) -> list[CatalogueEntry]:
    out = []
    base = root / "dag" / "stg"
    folders = [p for p in base.glob("*") if p.is_dir() and p.name.isdigit()]
    for folder in sorted(folders, key=lambda p: int(p.name)):
        for path in sorted(folder.glob("*.stg")):
            out.append(CatalogueEntry(
                stg_name(path), "dag", f"stg{folder.name}", path.relative_to(root).as_posix(),
                "stg", {"processors": 4},
                f"STG random task graph, {folder.name} tasks, P|prec|Cmax"))
    return out


def _wfcommons(root: Path) -> list[CatalogueEntry]:
    out = []
    for path in sorted((root / "dag" / "wfcommons").glob("*.json")):
        name = WF_NAMES.get(path.name, f"wf-{path.stem}")
        out.append(CatalogueEntry(
            name, "dag", "wfcommons", path.relative_to(root).as_posix(), "wfcommons", {},
            f"WfCommons workflow {path.stem} (platform from options)"))
    return out


def _canonical(root: Path) -> list[CatalogueEntry]:
    out = []
    for path in sorted((root / "dag" / "canonical").glob("*.json")):
        name = "topcuoglu2002" if path.stem == "topcuoglu2002_10task" else path.stem
        out.append(CatalogueEntry(
            name, "dag", "heft-example", path.relative_to(root).as_posix(), "heft-example", {},
            "HEFT paper sample DAG: 10 tasks, 3 unrelated processors (Topcuoglu et al. 2002)"))
    return out


def _expert_placement_examples(root: Path) -> list[CatalogueEntry]:
    path = root / "moe" / "known_examples.json"
    try:
        doc = json.loads(read_text(path))
        names = [ex["name"] for ex in doc["examples"]]
    except (InputError, ValueError, KeyError, TypeError):
        # Unreadable fixture: list nothing here; loading it by path reports the error.
        return []
    out = []
    for ex_name in names:
        if not isinstance(ex_name, str):
            continue
        name = _EXAMPLE_NAMES.get(ex_name, ex_name.removesuffix("_example").replace("_", "-"))
        out.append(CatalogueEntry(
            name, "expert_placement", "moe", path.relative_to(root).as_posix(),
            "moe-examples", {"example": ex_name}, f"MoE expert placement example {ex_name}"))
    return out


@functools.lru_cache(maxsize=4)
def _build(root: str) -> tuple[tuple[CatalogueEntry, ...], dict[str, CatalogueEntry]]:
    base = Path(root)
    entries: list[CatalogueEntry] = []
    by_name: dict[str, CatalogueEntry] = {}
    for part in (_jobshop, _orlib_wt, _stg, _wfcommons, _canonical,
                 _expert_placement_examples):
        for entry in part(base):
            # First one wins should two files map to one name.
            if entry.name not in by_name:
                by_name[entry.name] = entry
                entries.append(entry)
    return tuple(entries), by_name


def catalogue(problem: str | None = None) -> list[CatalogueEntry]:
    """The bundled instances (all, or those of one problem), in a stable order.

    Raises
    ------
    InputError
        For an unknown ``problem``.
    """
    if problem is not None:
        problem = problem_id(problem)
    entries, _ = _build(str(data_dir()))
    return [e for e in entries if problem is None or e.problem == problem]


@file_cache
def _bks(path: Path) -> dict[str, tuple[Any, Any]]:
    """``instance -> (lower_bound, upper_bound)`` of JSPLib's ``bks.json``."""
    try:
        doc = json.loads(read_text(path))
        return {str(row["instance"]): (row.get("lower_bound"), row.get("upper_bound"))
                for row in doc}
    except (ValueError, KeyError, TypeError) as err:
        if isinstance(err, InputError):
            raise
        raise InputError(f"malformed bounds file ({type(err).__name__})",
                         source=str(path)) from None


def _jobshop_bounds(entry: CatalogueEntry) -> Bounds | None:
    path = data_dir() / "jobshop" / "bks.json"
    if not path.is_file():
        return None
    row = _bks(path).get(Path(entry.path).stem)
    if row is None or (row[0] is None and row[1] is None):
        return None
    try:
        return Bounds(lower=row[0], upper=row[1], source=_BKS_SOURCE)
    except InputError as err:
        raise err.located(str(path)) from None


def _license(entry: CatalogueEntry) -> str | None:
    if entry.format == "moe-examples":
        return _LICENSES.get(str(entry.options.get("example")))
    return _LICENSES.get(entry.format)


def load(ref: str | Path, format: str | None = None, **options: Any) -> Instance:
    """Read an instance from a file path or a bundled name.

    Parameters
    ----------
    ref
        An existing file (read with :func:`~schedkit.instances.readers.read`) or a bundled
        name from :func:`catalogue`.
    format
        Format of a file (``None``: detected). For a bundled name it must be ``None`` or the
        entry's format.
    **options
        Reader options; for a bundled name they add to the entry's (e.g. ``processors=8`` for an
        STG graph) but may not change the options that select the instance.

    Raises
    ------
    InputError
        For an unknown reference, bad options or a malformed file.
    """
    path = Path(ref)
    if path.is_file():
        return read(path, format, **options)
    _, by_name = _build(str(data_dir()))
    entry = by_name.get(str(ref)) if isinstance(ref, str) else None
    if entry is None:
        raise InputError(f"unknown instance '{ref}' (not a file, not a bundled name; "
                         f"`schedkit list` shows them; {describe_data_dir()})")
    if format is not None and format != entry.format:
        if format not in FORMATS:
            raise InputError(f"unknown format {format!r} (formats: {', '.join(FORMATS)})",
                             field="format")
        raise InputError(f"bundled instance {entry.name!r} is in format {entry.format!r}, "
                         f"not {format!r}", field="format")
    for key in ("instance", "example"):
        if (key in entry.options and options.get(key) is not None
                and str(options[key]).strip() != str(entry.options[key])):
            raise InputError(f"option {key!r} is fixed by the bundled name {entry.name!r}",
                             field=f"options.{key}")
    try:
        inst = read(entry.full_path, entry.format, **{**entry.options, **options})
    except InputError as err:
        if err.field and err.field.startswith("options."):
            # An option of the caller, not a problem of the bundled file: name the instance.
            raise InputError(err.message, field=err.field, source=entry.name) from None
        raise
    meta = {**inst.meta, "family": entry.family, "source_file": entry.path,
            "license": _license(entry)}
    bounds = _jobshop_bounds(entry) if entry.problem == "jobshop" else inst.bounds
    return dataclasses.replace(inst, name=entry.name, meta=meta, bounds=bounds)
