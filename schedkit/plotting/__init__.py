"""Charts of results: Gantt charts and load charts (matplotlib, imported lazily)."""

from .charts import plot_result, save_plot
from .gantt import plot_gantt

__all__ = ["plot_gantt", "plot_result", "save_plot"]
