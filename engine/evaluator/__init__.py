"""Evaluation: the derivation (``engine.run``) and the explained report (``engine.report``) joined into one call.

This layer sits above both, so neither imports the other's caller (docs/architecture.md).
"""
