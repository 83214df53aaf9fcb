"""Rules data (YAML), shipped as package data and found with ``engine.resources.data_dir``."""
