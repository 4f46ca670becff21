"""Hand-computable sequence-parallel instances shared by the tests: linear cost, no
communication — a sequence of s tokens on d devices takes s/d seconds and every group 10 s more,
so plans can be computed by hand."""

from __future__ import annotations

from schedkit.instances import SequenceParallel

LINEAR = {"a1": 0.0, "a2": 1.0, "b1": 10.0, "comm_bytes_per_token": 0.0,
          "bandwidth": {"2": 1.0, "4": 1.0}}


def hand_instance(lengths: list[int], **kw) -> SequenceParallel:
    """4 devices of 10 tokens, degrees 1, 2, 4 and :data:`LINEAR` unless ``kw`` says
    otherwise (``devices_per_node`` defaults to ``devices``)."""
    base = {"devices": 4, "memory_tokens": 10, "degrees": [1, 2, 4], "lengths": lengths,
            "cost": LINEAR, "name": "hand"}
    base = {**base, **kw}
    return SequenceParallel(**{"devices_per_node": base["devices"], **base})
