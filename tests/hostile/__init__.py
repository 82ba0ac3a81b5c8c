"""A hostile web site of the project's own, for the crawler's robustness tests (issue 10)."""
