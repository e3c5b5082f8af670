"""The engine contract: every engine behind searchkit's seam, checked against a brute-force reference."""
