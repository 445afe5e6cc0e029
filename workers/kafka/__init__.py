"""kafka-python adapters for the CLI: topic admin, feeding and tailing."""
