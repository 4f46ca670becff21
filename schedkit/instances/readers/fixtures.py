"""Small published examples kept as JSON fixtures: the HEFT paper's DAG and two MoE examples.

``heft-example`` — the 10-task, 3-processor sample DAG of H. Topcuoglu, S. Hariri & M.-Y. Wu,
"Performance-effective and low-complexity task scheduling for heterogeneous computing",
IEEE TPDS 13(3):260-274, 2002 (Fig. 2), transcribed as ``{"exec_time": N×P, "edges": [[u, v,
comm], …], "n_tasks", "n_procs", "reference_makespans": {"HEFT", "CPOP", "optimal"}}``. The
communication cost of an edge is its data with unit bandwidth and no latency; the optimum (73,
proved with CP-SAT by this project) becomes the bounds.

``moe-examples`` — ``{"examples": [{"name", "source", "weight", "num_gpus", "num_replicas",
"num_nodes"?, "num_groups"?, …}, …]}``: expert loads with published placements, from the README
of DeepSeek's EPLB (github.com/deepseek-ai/EPLB, MIT) and the FlashLB pull request #3042 of
vllm-project/vllm-ascend. Option ``example=`` picks one by name (default: the first). ``weight``
is L×E (or E for one layer); slots per GPU = num_replicas / num_gpus; GPUs per node =
num_gpus / num_nodes; expert-group size = E / num_groups.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from .._fields import float_array
from ..errors import InputError
from ..model import DAG, Bounds, ExpertPlacement
from ._text import Options, get_key, get_list, get_map, get_number, get_str, json_path, parse_json

__all__ = ["read_heft_example", "read_moe_examples"]


def _count(obj: Mapping[str, Any], key: str, field: str, default: int | None = None) -> int:
    value = obj.get(key, default) if default is not None else get_key(obj, key, field)
    x = get_number(value, json_path(field, key), min_value=1)
    if not x.is_integer():
        raise InputError(f"must be an integer, got {x:g}", field=json_path(field, key))
    return int(x)


def read_heft_example(text: str, path: Path, opts: Options) -> DAG:
    """Read the Topcuoglu et al. (2002) example DAG; see the module docstring."""
    doc = get_map(parse_json(text), "")
    cost = float_array(get_key(doc, "exec_time", ""), "exec_time", ndim=2, min_value=0.0)
    n, procs = cost.shape
    if n == 0 or procs == 0:
        raise InputError("must have at least one task and one processor", field="exec_time")
    for key, want in (("n_tasks", n), ("n_procs", procs)):
        if key in doc and _count(doc, key, "") != want:
            raise InputError(f"says {doc[key]} but exec_time has {want}", field=key)
    edges, data = [], []
    for i, e in enumerate(get_list(doc.get("edges", []), "edges")):
        where = json_path("edges", i)
        e = get_list(e, where)
        if len(e) != 3:
            raise InputError(f"must be [u, v, comm], got {len(e)} entries", field=where)
        uv = []
        for k in (0, 1):
            x = get_number(e[k], json_path(where, k), min_value=0)
            if not x.is_integer() or x >= n:
                raise InputError(f"must be a task index 0..{n - 1}, got {e[k]!r}",
                                 field=json_path(where, k))
            uv.append(int(x))
        edges.append(uv)
        data.append(get_number(e[2], json_path(where, 2), min_value=0))
    refs = doc.get("reference_makespans")
    bounds = None
    meta: dict[str, Any] = {"format": "heft-example", "source_file": path.name}
    if refs is not None:
        refs = get_map(refs, "reference_makespans")
        meta["reference_makespans"] = {
            str(k): get_number(v, json_path("reference_makespans", str(k)), min_value=0)
            for k, v in refs.items()}
        if "optimal" in refs:
            opt = meta["reference_makespans"]["optimal"]
            bounds = Bounds(lower=opt, upper=opt, source=(
                "Topcuoglu, Hariri & Wu, IEEE TPDS 13(3) 2002, sample DAG (Fig. 2); optimum "
                f"proved with OR-Tools CP-SAT ({path.name})"))
    if isinstance(doc.get("source"), str):
        meta["source"] = doc["source"]
    name = doc["name"] if isinstance(doc.get("name"), str) and doc["name"] else path.stem
    return DAG(processors=procs, cost=cost, edges=edges, edge_data=data, bandwidth=1.0,
               latency=0.0, name=name, bounds=bounds, meta=meta)


def _exact(value: float) -> Fraction | None:
    """The simplest fraction (denominator <= 1000) within the 4-decimal rounding of ``value``.

    Optima of the even-split model are sums of weight/replicas terms, i.e. fractions with small
    denominators; a published 196.6667 is 590/3.
    """
    if value > 1e12:
        return None
    for q in range(1, 1001):
        p = round(value * q)
        if abs(p / q - value) <= 5e-5 + 1e-12:
            return Fraction(p, q)
    return None


def _explain(exact: Fraction, weights: list[float], counts: Any, slots: int) -> str | None:
    """Write ``exact`` as a sum of ``slots`` per-replica loads of distinct experts, if possible.

    ``counts`` are the published replica counts ``{expert: r}``; per-replica load w_e / r_e.
    """
    if not isinstance(counts, Mapping):
        return None
    try:
        per = {int(e): Fraction(weights[int(e)]).limit_denominator(10**6) / int(r)
               for e, r in counts.items()}
    except (ValueError, TypeError, IndexError, ZeroDivisionError):
        return None
    if math.comb(len(per), slots) > 20000:
        return None
    for combo in itertools.combinations(sorted(per), slots):
        if sum(per[e] for e in combo) == exact:
            parts = sorted((per[e] for e in combo), reverse=True)
            return " + ".join(str(x) for x in parts)
    return None


def read_moe_examples(text: str, path: Path, opts: Options) -> ExpertPlacement:
    """Read one example of ``known_examples.json``; see the module docstring."""
    doc = get_map(parse_json(text), "")
    examples = get_list(get_key(doc, "examples", ""), "examples", non_empty=True)
    names = [get_str(get_key(get_map(ex, json_path("examples", i)), "name",
                             json_path("examples", i)), json_path("examples", i, "name"))
             for i, ex in enumerate(examples)]
    wanted = opts.get_str("example", names[0])
    if wanted not in names:
        raise InputError(f"unknown example {wanted!r} (the file has: {', '.join(names)})",
                         field="options.example")
    i = names.index(wanted)
    where = json_path("examples", i)
    ex = examples[i]
    raw = get_list(get_key(ex, "weight", where), json_path(where, "weight"), non_empty=True)
    if not isinstance(raw[0], list):
        raw = [raw]  # one layer given as a flat list
    load = float_array(raw, json_path(where, "weight"), ndim=2, min_value=0.0)
    experts = load.shape[1]
    gpus = _count(ex, "num_gpus", where)
    replicas = _count(ex, "num_replicas", where)
    if replicas % gpus:
        raise InputError(f"must be a multiple of num_gpus = {gpus}, got {replicas}",
                         field=json_path(where, "num_replicas"))
    slots = replicas // gpus
    if "slots_per_gpu" in ex and _count(ex, "slots_per_gpu", where) != slots:
        raise InputError(f"must equal num_replicas / num_gpus = {slots}",
                         field=json_path(where, "slots_per_gpu"))
    nodes = _count(ex, "num_nodes", where, default=1)
    if gpus % nodes:
        raise InputError(f"must divide num_gpus = {gpus}, got {nodes}",
                         field=json_path(where, "num_nodes"))
    groups = None
    if "num_groups" in ex:
        num_groups = _count(ex, "num_groups", where)
        if experts % num_groups:
            raise InputError(f"must divide the {experts} experts, got {num_groups}",
                             field=json_path(where, "num_groups"))
        groups = experts // num_groups
    source = ex.get("source") if isinstance(ex.get("source"), str) else path.name
    bounds = None
    if "global_optimum_max_gpu_load_per_layer" in ex:
        field = json_path(where, "global_optimum_max_gpu_load_per_layer")
        per_layer = float_array(ex["global_optimum_max_gpu_load_per_layer"], field,
                                min_value=0.0, shape=(load.shape[0],))
        total = float(per_layer.sum())
        bounds = Bounds(lower=total, upper=total, source=(
            f"{source}; per-layer optima ({' + '.join(f'{x:g}' for x in per_layer)}) computed "
            "with OR-Tools CP-SAT and summed; they ignore the group-to-node constraint of "
            "hierarchical EPLB, so for that problem they are a lower bound only"))
    elif "optimum_max_gpu_load" in ex:
        published = get_number(ex["optimum_max_gpu_load"], json_path(where,
                                                                     "optimum_max_gpu_load"),
                               min_value=0)
        exact = _exact(published)
        note = f"{source}; optimum computed with OR-Tools CP-SAT"
        value: float = published
        if exact is not None and exact != published:
            value = float(exact)
            note += f"; the published {published} is rounded, the exact value is {exact}"
            how = _explain(exact, load[0].tolist(), ex.get("optimum_replica_counts"), slots)
            if load.shape[0] == 1 and how:
                note += f" (= {how} from the published replica counts)"
        bounds = Bounds(lower=value, upper=value, source=note)
    published_keys = {k: v for k, v in ex.items()
                      if k not in ("name", "source", "weight", "num_gpus", "num_replicas",
                                   "num_nodes", "num_groups", "slots_per_gpu")}
    meta: dict[str, Any] = {"format": "moe-examples", "source_file": path.name,
                            "example": wanted, "source": source, "published": published_keys}
    return ExpertPlacement(gpus=gpus, gpus_per_node=gpus // nodes, slots_per_gpu=slots,
                           load=load, groups=groups, name=wanted, objective="max_load",
                           bounds=bounds, meta=meta)
