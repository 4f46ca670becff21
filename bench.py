#!/usr/bin/env python
"""Benchmark runner, from a checkout: the same as ``schedkit bench``.

    python bench.py run smoke [--out results/smoke.jsonl]     # a bundled suite, or a suite file
    python bench.py report results/smoke.jsonl [more.jsonl …]

Only a wrapper: the runner, the suite format and the tables are in :mod:`schedkit.bench`.
"""

from __future__ import annotations

import sys

#: Exit status of Ctrl-C (128 + SIGINT), as :data:`schedkit.bench.EXIT_INTERRUPTED`.
_EXIT_INTERRUPTED = 130

if __name__ == "__main__":
    try:
        import schedkit

        bench = schedkit.bench  # loaded on first use
    except KeyboardInterrupt:  # Ctrl-C in the second the library takes to load: no traceback
        print("interrupted", file=sys.stderr)
        sys.exit(_EXIT_INTERRUPTED)
    sys.exit(bench.main())
