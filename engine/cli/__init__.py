"""The ``sanctuary`` command: one module per group of subcommands, wired together in ``main``."""

from engine.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
