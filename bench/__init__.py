"""`python -m bench` (make bench): the full-size performance benchmark of issue 6 (see bench/harness.py)."""
