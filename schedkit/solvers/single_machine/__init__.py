"""Adapters of single machine: each translates an instance into a formulation or a heuristic's
arrays and back into a method result. :mod:`.methods` declares the methods."""

__all__: list[str] = []
