"""The notebooks run as tests (nbmake) in quick mode: smaller instances and shorter time limits,
so the whole set stays within a few minutes. A kernel inherits this process's environment, so
setting the flag here reaches every notebook; set ``SCHEDKIT_NOTEBOOK_QUICK=0`` to run them in
full (as the benchmark pages were measured)."""

import os

os.environ.setdefault("SCHEDKIT_NOTEBOOK_QUICK", "1")
# Matplotlib draws off screen in a kernel without a display.
os.environ.setdefault("MPLBACKEND", "Agg")
