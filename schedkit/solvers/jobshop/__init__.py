"""Job-shop adapters: each translates a :class:`~schedkit.instances.JobShop` into a formulation
or a heuristic's arrays and back into a method result. :mod:`.methods` declares the methods."""

__all__: list[str] = []
