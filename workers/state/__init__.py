"""The worker's state: a RocksDB replica of a compacted changelog topic (``store``), the
kafka-python consumer that keeps it current (``changelog``, and ``poison`` for the
poison-pill guard's changelog), and a producer that writes to one and waits (``writer``)."""
