"""Charts of results: Gantt charts and load charts (matplotlib, imported lazily)."""

__all__: list[str] = []
