"""The ``moe-examples`` format: published expert loads kept as a JSON fixture.

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
from ..base import Bounds
from ..errors import InputError
from ..text import (
    Format,
    Options,
    get_count,
    get_key,
    get_list,
    get_map,
    get_number,
    get_str,
    json_path,
    parse_json_object,
    renamed,
)
from .model import ExpertPlacement

__all__ = ["FORMATS", "read_moe_examples"]


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
    doc = parse_json_object(text)
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
    gpus = get_count(ex, "num_gpus", where)
    replicas = get_count(ex, "num_replicas", where)
    if replicas % gpus:
        raise InputError(f"must be a multiple of num_gpus = {gpus}, got {replicas}",
                         field=json_path(where, "num_replicas"))
    slots = replicas // gpus
    if "slots_per_gpu" in ex and get_count(ex, "slots_per_gpu", where) != slots:
        raise InputError(f"must equal num_replicas / num_gpus = {slots}",
                         field=json_path(where, "slots_per_gpu"))
    nodes = get_count(ex, "num_nodes", where, default=1)
    if gpus % nodes:
        raise InputError(f"must divide num_gpus = {gpus}, got {nodes}",
                         field=json_path(where, "num_nodes"))
    groups = None
    if "num_groups" in ex:
        num_groups = get_count(ex, "num_groups", where)
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
    try:
        return ExpertPlacement(gpus=gpus, gpus_per_node=gpus // nodes, slots_per_gpu=slots,
                               load=load, groups=groups, name=wanted, objective="max_load",
                               bounds=bounds, meta=meta)
    except InputError as err:
        # The model's caps and rules, under the example's own keys.
        raise renamed(err, {"data.load": json_path(where, "weight"),
                            "data.gpus": json_path(where, "num_gpus"),
                            "data.gpus_per_node": json_path(where, "num_nodes"),
                            "data.slots_per_gpu": json_path(where, "num_replicas"),
                            "data.groups": json_path(where, "num_groups")}) from None


#: The expert-placement file formats (:mod:`schedkit.instances.readers` collects them).
FORMATS = (
    Format("moe-examples", "expert_placement", "EPLB / FlashLB expert-load examples",
           ("example",), read_moe_examples, json_key=("examples", "MoE examples")),
)
