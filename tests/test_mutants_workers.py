"""workers.py beyond test_workers.py: what its surviving mutants showed untested
(bench/mutation.py workers.py)."""

from __future__ import annotations
