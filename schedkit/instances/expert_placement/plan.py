"""Interchange with serving engines: DeepSeek EPLB's plan arrays and expert-load files.

A plan is EPLB's three arrays (deepseek-ai/EPLB README; vLLM and SGLang take the same):

* ``phy2log`` int (L, R): the logical expert in each physical slot; slot j lives on GPU
  j // (R / G);
* ``log2phy`` int (L, E, R − E + 1): the slots of each expert, ascending, padded with −1;
* ``logcnt`` int (L, E): each expert's replica count.

Plan files (:func:`read_plan`, :func:`write_plan`), by suffix:

* ``.json``: ``{"phy2log": [[…]…], "log2phy": …, "logcnt": …}``; on reading only ``phy2log``
  is required, the other two are derived when absent and checked against it when present
  (``log2phy`` in any order per expert, −1 padding last);
* ``.npz``: one numpy archive holding the three arrays under those names;
* ``.npy``: the ``phy2log`` array alone (the other two follow from it).

Load files (:func:`read_loads`): per-layer expert loads [L, E] or a history [T, L, E] of T
windows, by suffix:

* ``.json``: a nested list, or an object with the list under ``"load"`` or ``"weight"``
  (other keys, e.g. metadata, are ignored);
* ``.npy``: a 2-D or 3-D numeric array;
* ``.csv``: one row per layer with one load per expert. ``#`` comment lines and blank lines are
  skipped. An optional header line (any non-numeric cell) names the columns: a first column
  ``window`` makes the file a history (rows of one window consecutive, every window with the
  same number of layers, windows in the order they first appear), a (next) column ``layer``
  holds the layer index (0, 1, … inside each window, checked and dropped); the other columns
  are the experts. Without a header every cell is a load.

Every bad file raises :class:`~schedkit.instances.InputError` naming the file and the line
(CSV) or field.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .._fields import float_array, int_array
from ..errors import InputError
from ..text import parse_json, read_text
from .model import ExpertPlacement

__all__ = ["Plan", "Geometry", "to_eplb_arrays", "from_eplb_arrays", "log2phy_from_phy2log",
           "read_plan", "write_plan", "read_loads", "check_plan"]


class Plan(NamedTuple):
    """EPLB's plan arrays (unpacks like the return value of ``rebalance_experts``)."""

    phy2log: np.ndarray
    log2phy: np.ndarray
    logcnt: np.ndarray


class Geometry(NamedTuple):
    """The slot geometry a plan needs: G GPUs with S slots each (R = G·S), E experts
    (``None``: from the solution)."""

    num_gpus: int
    slots_per_gpu: int
    num_experts: int | None = None


def log2phy_from_phy2log(phy2log: np.ndarray, num_experts: int) -> np.ndarray:
    """int64 (L, E, R − E + 1): each expert's slots in ascending order, padded with −1."""
    L, R = phy2log.shape
    width = max(R - num_experts + 1, 1)
    out = np.full((L, num_experts, width), -1, dtype=np.int64)
    if R == 0:
        return out
    layer = np.repeat(np.arange(L), R)
    expert = phy2log.ravel()
    slot = np.tile(np.arange(R), L)
    order = np.lexsort((slot, expert, layer))  # by layer, expert, then slot
    layer, expert, slot = layer[order], expert[order], slot[order]
    start = np.r_[True, (layer[1:] != layer[:-1]) | (expert[1:] != expert[:-1])]
    first = np.maximum.accumulate(np.where(start, np.arange(start.size), 0))
    rank = np.arange(start.size) - first
    keep = rank < width
    out[layer[keep], expert[keep], rank[keep]] = slot[keep]
    return out


def _logcnt(phy2log: np.ndarray, num_experts: int) -> np.ndarray:
    L = phy2log.shape[0]
    out = np.zeros((L, num_experts), dtype=np.int64)
    np.add.at(out, (np.repeat(np.arange(L), phy2log.shape[1]), phy2log.ravel()), 1)
    return out


# -- solution <-> arrays -------------------------------------------------------------------------
def _geometry(inst_or_geometry: Any) -> Geometry:
    if isinstance(inst_or_geometry, ExpertPlacement):
        return Geometry(inst_or_geometry.gpus, inst_or_geometry.slots_per_gpu,
                        inst_or_geometry.n_experts)
    if isinstance(inst_or_geometry, Mapping):
        try:
            return Geometry(int(inst_or_geometry["num_gpus"]),
                            int(inst_or_geometry["slots_per_gpu"]),
                            inst_or_geometry.get("num_experts"))
        except (KeyError, TypeError, ValueError):
            raise InputError("a geometry mapping needs integer num_gpus and slots_per_gpu",
                             field="geometry") from None
    if isinstance(inst_or_geometry, Sequence) and 2 <= len(inst_or_geometry) <= 3:
        return Geometry(*inst_or_geometry)
    raise InputError(f"must be an ExpertPlacement or a Geometry(num_gpus, slots_per_gpu), "
                     f"got {type(inst_or_geometry).__name__}", field="geometry")


def _replicas(solution: Any) -> list[Any]:
    reps = solution.get("replicas") if isinstance(solution, Mapping) else None
    if not isinstance(reps, Sequence) or isinstance(reps, str) or not reps:
        raise InputError("must be a non-empty list of layers", field="solution.replicas")
    return list(reps)


def to_eplb_arrays(inst_or_geometry: Any, solution: Mapping[str, Any],
                   old_phy2log: Any = None) -> Plan:
    """EPLB's arrays of a solution ``{"replicas": [[[gpu, …] per expert] per layer]}``.

    On each GPU the solution fixes the experts, not their order. With ``old_phy2log`` (the
    deployed plan, int (L, R)) an expert that stays on a GPU keeps its old slot, as vLLM keeps
    it, and the other experts fill the freed slots by id; without it a GPU's slots hold its
    experts by id. ``to_eplb_arrays(g, from_eplb_arrays(p, G), old_phy2log=p)`` gives ``p``
    back exactly.

    Parameters
    ----------
    inst_or_geometry
        An :class:`ExpertPlacement` or a :class:`Geometry` (or ``(num_gpus, slots_per_gpu)``).
    solution
        The placement; every GPU must hold exactly ``slots_per_gpu`` replicas in each layer (an
        expert listing a GPU twice takes two of its slots).
    old_phy2log
        Optional previous plan, same shape as the result's ``phy2log``.

    Returns
    -------
    Plan
    """
    geo = _geometry(inst_or_geometry)
    G, S = int(geo.num_gpus), int(geo.slots_per_gpu)
    if G < 1 or S < 1:
        raise InputError(f"needs num_gpus >= 1 and slots_per_gpu >= 1, got {G} and {S}",
                         field="geometry")
    reps = _replicas(solution)
    L = len(reps)
    E = geo.num_experts
    if E is None:
        first = reps[0]
        E = len(first) if isinstance(first, Sequence) else 0
    R = G * S
    old = None
    if old_phy2log is not None:
        old = int_array(old_phy2log, "old_phy2log", ndim=2, min_value=0, shape=(L, R))
    phy2log = np.empty((L, R), dtype=np.int64)
    for layer, row in enumerate(reps):
        field = f"solution.replicas[{layer}]"
        if not isinstance(row, Sequence) or isinstance(row, str) or len(row) != E:
            raise InputError(f"must list the GPUs of each of the {E} experts", field=field)
        on_gpu: list[list[int]] = [[] for _ in range(G)]
        for e, gpus in enumerate(row):
            for g in int_array(gpus, f"{field}[{e}]", min_value=0, max_value=G - 1).tolist():
                on_gpu[g].append(e)
        for g, experts in enumerate(on_gpu):
            if len(experts) != S:
                raise InputError(f"GPU {g} holds {len(experts)} replicas, slots_per_gpu = {S}",
                                 field=field)
            phy2log[layer, g * S:(g + 1) * S] = _slots(sorted(experts), None if old is None
                                                       else old[layer, g * S:(g + 1) * S])
    return Plan(phy2log, log2phy_from_phy2log(phy2log, E), _logcnt(phy2log, E))


def _slots(experts: list[int], old: np.ndarray | None) -> list[int]:
    """One GPU's slots: experts that were there keep their old slot, the rest fill in order."""
    if old is None:
        return experts
    left: dict[int, int] = {}
    for e in experts:
        left[e] = left.get(e, 0) + 1
    out = [-1] * len(experts)
    for k, e in enumerate(old.tolist()):
        if left.get(e, 0) > 0:
            out[k] = e
            left[e] -= 1
    rest = iter([e for e in sorted(left) for _ in range(left[e])])
    return [e if e >= 0 else next(rest) for e in out]


def from_eplb_arrays(phy2log: Any, num_gpus: int,
                     num_experts: int | None = None) -> dict[str, Any]:
    """The solution ``{"replicas": …}`` of an EPLB ``phy2log`` (slot j on GPU j // (R / G)).

    ``num_experts`` defaults to the largest expert id + 1. An expert with two slots on one GPU
    lists that GPU twice (EPLB issue #22; the evaluator rejects such a plan).
    """
    p = int_array(phy2log, "phy2log", ndim=2, min_value=0)
    L, R = p.shape
    G = int(num_gpus)
    if G < 1 or R == 0 or R % G:
        raise InputError(f"{R} slots per layer do not divide over num_gpus = {G}",
                         field="phy2log")
    E = int(p.max()) + 1 if num_experts is None else int(num_experts)
    if p.size and int(p.max()) >= E:
        raise InputError(f"must be < num_experts = {E}, got {int(p.max())}", field="phy2log")
    S = R // G
    gpu = np.arange(R) // S
    layers = []
    for layer in range(L):
        row: list[list[int]] = [[] for _ in range(E)]
        for e, g in zip(p[layer].tolist(), gpu.tolist(), strict=True):
            row[e].append(g)
        layers.append(row)
    return {"replicas": layers}


# -- plan files ----------------------------------------------------------------------------------
def check_plan(phy2log: Any, log2phy: Any = None, logcnt: Any = None, *,
               num_experts: int | None = None, source: str | None = None) -> Plan:
    """The three arrays, checked against each other (``log2phy``/``logcnt`` derived when
    ``None``); errors name the field (and ``source``)."""
    try:
        p = int_array(phy2log, "phy2log", ndim=2, min_value=0)
        if p.shape[0] == 0 or p.shape[1] == 0:
            raise InputError("must have at least one layer and one slot", field="phy2log")
        E = num_experts
        cnt = None if logcnt is None else int_array(logcnt, "logcnt", ndim=2, min_value=0)
        l2p = None if log2phy is None else int_array(log2phy, "log2phy", ndim=3, min_value=-1)
        if E is None:
            E = cnt.shape[1] if cnt is not None else l2p.shape[1] if l2p is not None \
                else int(p.max()) + 1
        if int(p.max()) >= E:
            bad = np.argwhere(p >= E)[0]
            raise InputError(f"expert {int(p[tuple(bad)])} out of range 0..{E - 1}",
                             field=f"phy2log[{bad[0]}][{bad[1]}]")
        want_cnt = _logcnt(p, E)
        want_l2p = log2phy_from_phy2log(p, E)
        if cnt is not None:
            if cnt.shape != want_cnt.shape:
                raise InputError(f"must have shape {list(want_cnt.shape)}, got "
                                 f"{list(cnt.shape)}", field="logcnt")
            if (cnt != want_cnt).any():
                bad = np.argwhere(cnt != want_cnt)[0]
                raise InputError(f"says {int(cnt[tuple(bad)])} replicas, phy2log holds "
                                 f"{int(want_cnt[tuple(bad)])}",
                                 field=f"logcnt[{bad[0]}][{bad[1]}]")
        if l2p is not None:
            width = int(want_cnt.max())
            if l2p.shape[:2] != want_l2p.shape[:2] or l2p.shape[2] < width:
                raise InputError(f"must have shape [{p.shape[0]}, {E}, >= {width}], got "
                                 f"{list(l2p.shape)}", field="log2phy")
            padded = np.where(l2p < 0, np.iinfo(np.int64).max, l2p)
            given = np.sort(padded, axis=2)
            expect = np.full(l2p.shape, np.iinfo(np.int64).max, dtype=np.int64)
            k = min(l2p.shape[2], want_l2p.shape[2])
            expect[:, :, :k] = np.where(want_l2p[:, :, :k] < 0, np.iinfo(np.int64).max,
                                        want_l2p[:, :, :k])
            tail = (l2p >= 0) & (np.arange(l2p.shape[2]) >= want_cnt[:, :, None])
            mismatch = (given != expect).any(axis=2) | tail.any(axis=2)
            if mismatch.any():
                layer, e = np.argwhere(mismatch)[0].tolist()
                slots = want_l2p[layer, e][:want_cnt[layer, e]].tolist()
                raise InputError(f"must list the slots {slots} of expert {e} (then -1), got "
                                 f"{l2p[layer, e].tolist()}", field=f"log2phy[{layer}][{e}]")
    except InputError as err:
        raise err.located(source=source) from None
    return Plan(p, want_l2p if l2p is None else l2p, want_cnt if cnt is None else cnt)


def _suffix(path: Path, allowed: Sequence[str], what: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise InputError(f"unknown {what} file type {suffix or '(none)'!r}: use "
                         f"{', '.join(allowed)}", source=str(path))
    return suffix


def _load_npy(path: Path) -> np.ndarray:
    try:
        with path.open("rb") as fh:
            if fh.read(6) != b"\x93NUMPY":
                raise InputError("not a numpy .npy file (no NUMPY header)", source=str(path))
            fh.seek(0)
            arr = np.load(fh, allow_pickle=False)
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", source=str(path)) from None
    except ValueError as err:
        text = str(err)
        what = "holds Python objects, not numbers" if "pickle" in text else \
            f"not a readable numpy .npy array: {text.splitlines()[0][:100]}"
        raise InputError(what, source=str(path)) from None
    if not isinstance(arr, np.ndarray):
        raise InputError("holds an archive, not one array (use .npz for three arrays)",
                         source=str(path))
    if arr.dtype.kind not in "iuf":
        raise InputError(f"must hold numbers, got dtype {arr.dtype}", source=str(path))
    return arr


def read_plan(path: str | Path, num_experts: int | None = None) -> Plan:
    """Read a plan file (``.json``, ``.npz`` or ``.npy``; layouts in the module docstring).

    Returns
    -------
    Plan
        The arrays as stored (``log2phy``/``logcnt`` derived from ``phy2log`` when the file
        has only that), checked against each other.
    """
    path = Path(path)
    suffix = _suffix(path, (".json", ".npz", ".npy"), "plan")
    if suffix == ".json":
        try:
            doc = parse_json(read_text(path))
        except InputError as err:
            raise err.located(source=str(path)) from None
        if not isinstance(doc, Mapping) or "phy2log" not in doc:
            raise InputError("must be a JSON object with phy2log (and optionally log2phy, "
                             "logcnt)", source=str(path), field="phy2log")
        unknown = set(doc) - {"phy2log", "log2phy", "logcnt"}
        if unknown:
            raise InputError("unknown field (allowed: log2phy, logcnt, phy2log)",
                             source=str(path), field=sorted(unknown)[0])
        return check_plan(doc["phy2log"], doc.get("log2phy"), doc.get("logcnt"),
                          num_experts=num_experts, source=str(path))
    if suffix == ".npy":
        return check_plan(_load_npy(path), num_experts=num_experts, source=str(path))
    try:
        with path.open("rb") as fh, np.load(fh, allow_pickle=False) as archive:
            names = set(archive.files)
            if "phy2log" not in names:
                raise InputError(f"has no phy2log array (holds {sorted(names)})",
                                 source=str(path), field="phy2log")
            arrays = {k: archive[k] for k in ("phy2log", "log2phy", "logcnt") if k in names}
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", source=str(path)) from None
    except (ValueError, zipfile.BadZipFile) as err:
        raise InputError(f"not a numpy .npz archive: {str(err).splitlines()[0][:100]}",
                         source=str(path)) from None
    return check_plan(arrays["phy2log"], arrays.get("log2phy"), arrays.get("logcnt"),
                      num_experts=num_experts, source=str(path))


def _json_rows(name: str, arr: np.ndarray) -> str:
    """``"name": [...]`` with one line per layer (readable, and diffs stay small)."""
    rows = ",\n".join("  " + json.dumps(row.tolist(), separators=(",", ":")) for row in arr)
    return f' "{name}": [\n{rows}\n ]'


def write_plan(path: str | Path, arrays: Any) -> Path:
    """Write a plan (a :class:`Plan`, a 3-tuple or a mapping of the three arrays) to ``path``:
    ``.json``, ``.npz`` (all three arrays) or ``.npy`` (``phy2log`` only)."""
    path = Path(path)
    suffix = _suffix(path, (".json", ".npz", ".npy"), "plan")
    if isinstance(arrays, Mapping):
        plan = check_plan(arrays.get("phy2log"), arrays.get("log2phy"), arrays.get("logcnt"))
    else:
        plan = check_plan(*arrays)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".json":
            parts = [_json_rows(k, np.asarray(v)) for k, v in zip(
                Plan._fields, plan, strict=True)]
            path.write_text("{\n" + ",\n".join(parts) + "\n}\n", encoding="utf-8")
        elif suffix == ".npy":
            with path.open("wb") as fh:
                np.save(fh, np.asarray(plan.phy2log, dtype=np.int64), allow_pickle=False)
        else:
            with path.open("wb") as fh:
                np.savez(fh, phy2log=np.asarray(plan.phy2log, dtype=np.int64),
                         log2phy=np.asarray(plan.log2phy, dtype=np.int64),
                         logcnt=np.asarray(plan.logcnt, dtype=np.int64))
    except OSError as err:
        raise InputError(f"cannot write: {err.strerror or err}", source=str(path)) from None
    return path


# -- load files ----------------------------------------------------------------------------------
def _depth(value: Any) -> int:
    """How deep lists nest along the first elements (an empty list counts as a level)."""
    depth = 0
    while isinstance(value, Sequence) and not isinstance(value, str):
        depth += 1
        if not value:
            break
        value = value[0]
    return depth


def _checked_loads(value: Any, field: str, source: str) -> np.ndarray:
    ndim = value.ndim if isinstance(value, np.ndarray) else _depth(value)
    if ndim not in (2, 3):
        raise InputError(f"must be loads [layers][experts] or a history "
                         f"[windows][layers][experts], got {ndim} level(s) of lists",
                         source=source, field=field)
    try:
        arr = float_array(value, field, ndim=ndim, min_value=0.0)
    except InputError as err:
        raise err.located(source=source) from None
    if 0 in arr.shape:
        raise InputError(f"must not be empty, got shape {list(arr.shape)}", source=source,
                         field=field)
    return np.array(arr, dtype=np.float64)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _read_csv(path: Path) -> np.ndarray:
    text = read_text(path)
    rows: list[tuple[int, list[str]]] = []
    try:
        for line_no, cells in enumerate(csv.reader(io.StringIO(text)), 1):
            if not cells or not "".join(cells).strip() or cells[0].lstrip().startswith("#"):
                continue
            rows.append((line_no, [c.strip() for c in cells]))
    except csv.Error as err:
        raise InputError(f"malformed CSV: {err}", source=str(path)) from None
    if not rows:
        raise InputError("file is empty", source=str(path))
    header: list[str] | None = None
    if not all(_is_number(c) for c in rows[0][1]):
        header = [c.lower() for c in rows[0][1]]
        rows = rows[1:]
        if not rows:
            raise InputError("has a header but no rows", source=str(path))
    lead = 0
    window_col = layer_col = None
    if header is not None:
        if header[0] == "window":
            window_col, lead = 0, 1
        if len(header) > lead and header[lead] == "layer":
            layer_col, lead = lead, lead + 1
    width = len(header) if header is not None else len(rows[0][1])
    if width - lead < 1:
        raise InputError("no expert columns", source=str(path), line=1)
    windows: list[Any] = []
    blocks: dict[Any, list[list[float]]] = {}
    last = None
    for line_no, cells in rows:
        if len(cells) != width:
            raise InputError(f"expected {width} cells, got {len(cells)}", source=str(path),
                             line=line_no)
        key: Any = 0
        if window_col is not None:
            key = cells[window_col]
            if key != last and key in blocks:
                raise InputError(f"window {key!r} appears again after other windows (keep "
                                 "the rows of one window together)", source=str(path),
                                 line=line_no, field="window")
            last = key
        if key not in blocks:
            windows.append(key)
            blocks[key] = []
        if layer_col is not None:
            want = len(blocks[key])
            if cells[layer_col] != str(want) and not (_is_number(cells[layer_col]) and
                                                     float(cells[layer_col]) == want):
                raise InputError(f"expected layer {want}, got {cells[layer_col]!r}",
                                 source=str(path), line=line_no, field="layer")
        values = []
        for col in range(lead, width):
            name = header[col] if header is not None else f"column {col + 1}"
            try:
                v = float(cells[col])
            except ValueError:
                raise InputError(f"must be a number, got {cells[col][:30]!r}",
                                 source=str(path), line=line_no, field=name) from None
            if not np.isfinite(v) or v < 0:
                raise InputError(f"must be a finite load >= 0, got {cells[col][:30]!r}",
                                 source=str(path), line=line_no, field=name)
            values.append(v)
        blocks[key].append(values)
    if window_col is None:
        return np.array(blocks[0], dtype=np.float64)
    sizes = {k: len(v) for k, v in blocks.items()}
    first = windows[0]
    for k in windows:
        if sizes[k] != sizes[first]:
            raise InputError(f"window {k!r} has {sizes[k]} layers, window {first!r} has "
                             f"{sizes[first]}", source=str(path), field="window")
    return np.array([blocks[k] for k in windows], dtype=np.float64)


def read_loads(path: str | Path) -> np.ndarray:
    """Expert loads from a file: float64 [L, E], or a history [T, L, E] (layouts in the module
    docstring: ``.json``, ``.csv``, ``.npy``)."""
    path = Path(path)
    suffix = _suffix(path, (".json", ".csv", ".npy"), "load")
    source = str(path)
    if suffix == ".npy":
        return _checked_loads(_load_npy(path), "load", source)
    if suffix == ".csv":
        return _read_csv(path)
    try:
        doc = parse_json(read_text(path))
    except InputError as err:
        raise err.located(source=source) from None
    field = "load"
    if isinstance(doc, Mapping):
        keys = [k for k in ("load", "weight") if k in doc]
        if len(keys) != 1:
            raise InputError("must be a list of loads or an object with exactly one of "
                             "\"load\", \"weight\"", source=source, field="load")
        field = keys[0]
        doc = doc[field]
    return _checked_loads(doc, field, source)
