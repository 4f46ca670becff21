"""Load charts of expert placements: per-GPU load bars of one layer and a layer × GPU heat map,
for one plan or before/after a rebalance (matplotlib, imported lazily)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..instances import ExpertPlacement, InputError, Instance
from ..instances.evaluate import check
from ..instances.expert_placement.evaluate import gpu_loads

__all__ = ["plot_gpu_loads", "plot_load_heatmap", "plot_placement", "plot_rebalance"]


def _loads(instance: Instance, solution: Mapping[str, Any]) -> np.ndarray:
    if not isinstance(instance, ExpertPlacement):
        raise InputError(f"expert-placement charts draw expert placements, got "
                         f"{instance.problem}", field="problem")
    bad = check(instance, solution)
    if bad:
        raise InputError(f"the placement is infeasible: {bad[0]}", field="solution")
    return gpu_loads(instance, solution["replicas"])


def _axes(ax: Any, ncols: int = 1, width: float = 7.0) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, axes = plt.subplots(1, ncols, figsize=(width * ncols, 3.6), squeeze=False)
    return axes[0, 0] if ncols == 1 else axes[0]


def plot_gpu_loads(instance: Instance, solution: Mapping[str, Any], layer: int | None = None, *,
                   before: Mapping[str, Any] | None = None, ax: Any = None,
                   title: str | None = None) -> Any:
    """Bars of every GPU's token load in one layer (default: the layer with the largest
    imbalance), with the mean as a line; ``before`` draws a previous plan's loads beside it.

    Returns the matplotlib Axes.
    """
    loads = _loads(instance, solution)
    if layer is None:
        mean = loads.mean(axis=1)
        layer = int(np.argmax(loads.max(axis=1) / np.where(mean > 0, mean, 1.0)))
    if not 0 <= layer < loads.shape[0]:
        raise InputError(f"layer {layer} out of range 0..{loads.shape[0] - 1}", field="layer")
    ax = _axes(ax)
    G = loads.shape[1]
    x = np.arange(G)
    if before is not None:
        old = _loads(instance, before)[layer]
        ax.bar(x - 0.2, old, width=0.4, color="#bbbbbb", label=f"before (max {old.max():g})")
        ax.bar(x + 0.2, loads[layer], width=0.4, color="#3b75af",
               label=f"after (max {loads[layer].max():g})")
    else:
        ax.bar(x, loads[layer], color="#3b75af", label=f"max {loads[layer].max():g}")
    ax.axhline(loads[layer].mean(), color="#c44e52", lw=1, ls="--",
               label=f"mean {loads[layer].mean():g}")
    per_node = instance.gpus_per_node  # type: ignore[attr-defined]
    for boundary in range(per_node, G, per_node):
        ax.axvline(boundary - 0.5, color="#888888", lw=0.6)
    ax.set_xlabel("GPU (thin lines: node boundaries)")
    ax.set_ylabel("tokens")
    ax.set_title(title or f"{instance.name}: GPU loads, layer {layer}")
    ax.legend(loc="upper right", fontsize=8)
    return ax


def plot_load_heatmap(instance: Instance, solution: Mapping[str, Any], *, ax: Any = None,
                      title: str | None = None, relative: bool = True) -> Any:
    """Heat map of GPU loads, layers × GPUs; ``relative`` divides each layer by its mean (1 is
    perfect balance). Returns the matplotlib Axes."""
    loads = _loads(instance, solution)
    ax = _axes(ax)
    data = loads
    if relative:
        mean = loads.mean(axis=1, keepdims=True)
        data = loads / np.where(mean > 0, mean, 1.0)
    im = ax.imshow(data, aspect="auto", cmap="magma", interpolation="nearest")
    ax.figure.colorbar(im, ax=ax, label="load / layer mean" if relative else "tokens")
    ax.set_xlabel("GPU")
    ax.set_ylabel("layer")
    ax.set_title(title or f"{instance.name}: GPU loads by layer")
    return ax


def plot_placement(instance: Instance, solution: Mapping[str, Any], *, ax: Any = None,
                   title: str | None = None) -> Any:
    """The chart of ``schedkit plot`` for an expert placement: the heat map when the instance
    has several layers, else the GPU load bars."""
    if isinstance(instance, ExpertPlacement) and instance.n_layers > 1:
        return plot_load_heatmap(instance, solution, ax=ax, title=title)
    return plot_gpu_loads(instance, solution, 0, ax=ax, title=title)


def plot_rebalance(instance: Instance, before: Mapping[str, Any], after: Mapping[str, Any], *,
                   layer: int | None = None) -> Any:
    """Before/after a rebalance: heat maps of both plans (one colour scale) and the GPU load
    bars of one layer. Returns the matplotlib Figure."""
    import matplotlib.pyplot as plt

    old, new = _loads(instance, before), _loads(instance, after)
    mean = new.mean(axis=1, keepdims=True)
    scale = np.where(mean > 0, mean, 1.0)
    top = float(max((old / scale).max(), (new / scale).max()))
    fig, axes = plt.subplots(1, 3, figsize=(18, 4), layout="constrained")
    for ax, loads, name in ((axes[0], old, "before"), (axes[1], new, "after")):
        im = ax.imshow(loads / scale, aspect="auto", cmap="magma", vmin=0.0, vmax=top,
                       interpolation="nearest")
        ax.set_title(f"{name}: max/mean {float((loads.max(axis=1) / scale[:, 0]).mean()):.3f}")
        ax.set_xlabel("GPU")
        ax.set_ylabel("layer")
    fig.colorbar(im, ax=axes[1], label="load / layer mean")
    plot_gpu_loads(instance, after, layer, before=before, ax=axes[2])
    return fig
