"""The notebooks run as tests (nbmake) in quick mode: smaller instances and shorter time limits,
so the whole set stays within a few minutes. A kernel inherits this process's environment, so
setting the flag here reaches every notebook; set ``SCHEDKIT_NOTEBOOK_QUICK=0`` to run them in
full (as the benchmark pages were measured)."""

import os

os.environ.setdefault("SCHEDKIT_NOTEBOOK_QUICK", "1")
# No MPLBACKEND here: a kernel's default backend (inline) draws off screen and keeps the images
# as outputs, which Agg would not.
