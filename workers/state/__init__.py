"""The worker's state: a RocksDB replica of a compacted changelog topic (``store``) and
the kafka-python consumer that keeps it current (``changelog``)."""
