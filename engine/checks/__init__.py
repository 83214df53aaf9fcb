"""Checks of the rules themselves: the worked cases written beside the rules, run through the engine.

Running a case needs the answers parser and the derivation (``engine.run``), so this layer sits above them
rather than inside ``engine.rules`` (docs/architecture.md).
"""
