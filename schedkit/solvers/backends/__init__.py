"""The one CP-SAT runner (:mod:`.cpsat`) and the one PuLP runner (:mod:`.pulp`): every exact
adapter solves through them, so limits, seeds, statuses and stats mean the same everywhere."""

__all__: list[str] = []
