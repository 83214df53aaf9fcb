"""Survey CSVs: reading, row-by-row evaluation through a worker pool, and the summary."""
