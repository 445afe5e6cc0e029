"""``newsflow tail``: print the records of a topic."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

from workers.cli.summary import summarize
from workers.exceptions import NewsflowError
from workers.kafka.tail import BEGINNING, StartAt, TailRecord, parse_start, tail_topic
from workers.settings import Settings

_DESCRIPTION = """\
Read a topic with kafka-python. Without --group nothing is committed: every partition
(or the --partition ones) from --offset. With --group G the topic is read as the
consumer group G, like kafka-console-consumer --group: partitions shared with the
group's other members, starting from the group's committed offsets (--offset beginning
or end only for partitions it has none for), each record printed is committed.

Without --json, enriched articles are printed as a short summary and other values as
they are. With --json, stdout carries exactly one JSON value a line (a value that is
not JSON as a JSON string, a deleted one as null; with --key an object {"key", "value"}),
so it pipes into jq; the count of records goes to stderr.

Exit 0 when done (--max, --idle-timeout, or the reader of a pipe went away), 2 with one
line `newsflow: error: [Exxx] ...` otherwise: E401 no broker answered within
--connect-timeout, E402 no such topic, E408 no such partition, E413 a --partition that
is not a number, E409 a bad --offset, E411 --group with --partition or an offset, E412
--group naming one of the pipeline's own consumer groups."""

_EPILOG = """\
examples:
  newsflow tail articles.enriched --json --offset beginning --idle-timeout 3 | jq -r .id
  newsflow tail -b kafka:9092 claims --partition 0 --offset -10 --key
  newsflow tail articles.dlq --offset 2h --json | jq .reason
  newsflow tail articles.raw --group audit --max 100"""


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "tail",
        help="print the records of a topic",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("topic", metavar="TOPIC", help="topic to read, e.g. articles.enriched")
    p.add_argument("--json", action="store_true", help="print exactly one JSON value a line (for jq)")
    p.add_argument("--key", action="store_true", help="print each record's key too: KEY<TAB>VALUE")
    p.add_argument(
        "-p",
        "--partition",
        type=_partition,
        action="append",
        metavar="N",
        help="read only partition N; repeat for several (default: all)",
    )
    start = p.add_mutually_exclusive_group()
    start.add_argument(
        "-o",
        "--offset",
        type=_start,
        metavar="WHERE",
        help="where to start in each partition: beginning, end (default), an offset N (-N: N records "
        "before the end), a time as @epoch-ms, ISO-8601 (2024-12-05T10:00:00Z) or back from now (30m, 2h, 7d)",
    )
    start.add_argument(
        "--from-beginning", dest="offset", action="store_const", const=BEGINNING, help="same as --offset beginning"
    )
    p.add_argument(
        "--group",
        metavar="G",
        help="read as consumer group G and commit what is printed (not with --partition, nor an --offset "
        "other than beginning or end)",
    )
    p.add_argument("--max", type=int, metavar="N", help="stop after N records")
    p.add_argument("--idle-timeout", type=float, metavar="S", help="stop after S seconds without a record")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    start: StartAt | None = args.offset
    if args.group is not None and (args.partition or (start is not None and start.whence not in ("beginning", "end"))):
        raise NewsflowError(
            "[E411] --group reads from the group's committed offsets: leave out --partition, and use --offset "
            "beginning or end only (they apply where the group has committed nothing)"
        )
    pipeline_groups = {
        settings.group_id: "the workers' group, NEWSFLOW_GROUP_ID",
        settings.sink_group_id: "the sink's group, NEWSFLOW_SINK_GROUP_ID",
        f"{settings.group_id}-dlq-replay": "the group of dlq replay",
    }
    if args.group in pipeline_groups:
        raise NewsflowError(
            f"[E412] --group {args.group} is {pipeline_groups[args.group]}: tail would take partitions from it "
            "and commit in its name; pick a group of its own"
        )
    out = sys.stdout
    count = 0
    for record in tail_topic(
        settings,
        args.topic,
        start=start,
        partitions=args.partition,
        group_id=args.group,
        max_records=args.max,
        idle_timeout=args.idle_timeout,
    ):
        out.write((json_line(record, key=args.key) if args.json else text_line(record, key=args.key)) + "\n")
        out.flush()
        count += 1
    print(f"{count} records", file=sys.stderr)
    return 0


def json_line(record: TailRecord, *, key: bool = False) -> str:
    """The record's value as one line of JSON; with ``key``, ``{"key": ..., "value": ...}``."""
    value = _json_value(record.value)
    if not key:
        return value
    key_text = None if record.key is None else record.key.decode("utf-8", errors="replace")
    return f'{{"key":{orjson.dumps(key_text).decode()},"value":{value}}}'


def _json_value(value: bytes | None) -> str:
    if value is None:
        return "null"
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError:
        return orjson.dumps(value.decode("utf-8", errors="replace")).decode()
    if b"\n" in value or b"\r" in value:
        return orjson.dumps(parsed).decode()  # one value must stay one line
    return value.decode("utf-8")


def text_line(record: TailRecord, *, key: bool = False) -> str:
    """The record for a person: an enriched article's summary, other values as they are."""
    text = _human(record.value or b"")
    if not key:
        return text
    return f"{'' if record.key is None else record.key.decode('utf-8', errors='replace')}\t{text}"


def _human(value: bytes) -> str:
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError:
        return value.decode("utf-8", errors="replace")
    schema = data.get("schema") if isinstance(data, dict) else None
    if isinstance(schema, dict) and schema.get("name") == "enriched-article":
        return summarize(data)
    return orjson.dumps(data).decode()


def _start(text: str) -> StartAt:
    try:
        return parse_start(text, now=datetime.now(UTC))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _partition(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"[E413] {text!r} is not a partition number (0, 1, 2, ...)")
    return int(text)
