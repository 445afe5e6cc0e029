"""``newsflow bench``: throughput, latency and memory of the pipeline, measured side by side.

Every figure is measured in one run against baselines run in the same invocation (bare
spaCy, a plain kafka-python loop), so the printed ratios compare like with like.
"""
