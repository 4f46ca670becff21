"""A deadline for building a model: big instances make big models, and building one in Python
can take longer than a whole time limit. A build function takes a :class:`Deadline` and calls
:meth:`Deadline.tick` in its loops; past the deadline it raises :class:`OutOfTime`, and the
adapter returns its warm start instead."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

__all__ = ["Deadline", "OutOfTime"]


class OutOfTime(Exception):
    """The model could not be built before the deadline."""


@dataclass
class Deadline:
    """``at``: a ``time.perf_counter()`` reading (``None``: no deadline); the clock is read
    every ``every`` ticks, which keeps a tick to a counter increment."""

    at: float | None = None
    every: int = 512
    _ticks: int = field(default=0, repr=False)

    def tick(self) -> None:
        """Count one step of the build; raise :class:`OutOfTime` past the deadline."""
        if self.at is None:
            return
        self._ticks += 1
        if self._ticks % self.every == 0:
            self.check()

    def check(self) -> None:
        """Raise :class:`OutOfTime` if the deadline has passed."""
        if self.at is not None and time.perf_counter() > self.at:
            raise OutOfTime("the time limit ran out while building the model")
