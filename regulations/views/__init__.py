"""HTML views of the regulations area, split by page family."""
