"""Every Faust table of the worker."""

from __future__ import annotations

from typing import Any

import faust
from faust.tables.globaltable import GlobalTable
from faust.types import TableT

from workers.exceptions import ConfigError
from workers.settings import Settings

__all__ = ["SinglePartitionGlobalTable", "declare_dedup_table"]

DEDUP_TABLE = "dedup"
ROCKSDB_OPTIONS = {
    "write_buffer_size": 4 * 2**20,
    "max_write_buffer_number": 2,
    "target_file_size_base": 16 * 2**20,
    "block_cache_size": 16 * 2**20,
    "block_cache_compressed_size": 4 * 2**20,
}


class SinglePartitionGlobalTable(GlobalTable):
    """A global table whose changelog has one partition: every key is written there.

    Faust's own choice for a global table (``use_partitioner=True``) asks the producer
    for the topic's partitions before it has any metadata for the changelog, and
    crashes the agent on the first write; with one partition there is nothing to
    choose.
    """

    def partition_for_key(self, key: Any) -> int:
        return 0


def declare_dedup_table(app: faust.App, settings: Settings) -> TableT[bytes, bytes]:
    """The duplicate index: a global table, so every worker sees every article.

    A global table is read whole by each worker from its changelog (created by
    ``newsflow topics create`` as ``<group>-dedup-changelog``), so two copies that land
    on different input partitions still meet. It has one partition and a recovery
    buffer of 1, as faust-streaming advises against an infinite recovery loop with
    several workers.
    """
    table: TableT[bytes, bytes] = app.tables.add(  # type: ignore[assignment]  # add() is typed loosely
        SinglePartitionGlobalTable(
            app,
            name=DEDUP_TABLE,
            beacon=app.tables.beacon,
            key_type=bytes,
            value_type=bytes,
            partitions=1,
            standby_buffer_size=1,
            recovery_buffer_size=1,
            is_global=True,
            # Faust's RocksDB defaults (a 2 GB block cache, three 64 MB memtables per
            # database) let a worker's memory drift up by hundreds of MB; the index
            # is small and read by key, so modest buffers do.
            options=ROCKSDB_OPTIONS,
            help="Duplicate index: content hashes, LSH bands and MinHash signatures.",
        )
    )
    if table.changelog_topic.get_topic_name() != settings.dedup_changelog_topic:
        raise ConfigError(
            f"[E107] the duplicate index changelog is {table.changelog_topic.get_topic_name()!r}, "
            f"but `newsflow topics create` makes {settings.dedup_changelog_topic!r}"
        )
    return table
