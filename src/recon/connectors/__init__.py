"""connectors stage: read every feed of the drop folder into canonical polars frames + quarantine rows.

    result = discover(input_dir)
    for source in result.files:
        spec = feed(source)
        for drop in result.to_read(source):
            read = read_file(spec, drop, result.header_maps.get(source))

Each feed's load semantics (snapshot / append / quarterly, key column, column kinds) live in
`contract.py`; the shapes returned are in `base.py`.
"""

from recon.connectors.base import LINEAGE_COLUMNS, QUARANTINE_SCHEMA, DropFile, FileRejected, ReadResult
from recon.connectors.cells import clean_expr, clean_header, clean_series, clean_value
from recon.connectors.contract import FEEDS, NULL_MARKERS, Column, FeedSpec, feed
from recon.connectors.dates import parse_dates
from recon.connectors.discover import DiscoveryResult, describe_file, discover
from recon.connectors.encoding import Decoded, NotATable, decode_table_bytes
from recon.connectors.feed_config import FeedConfigError, load_feed_config
from recon.connectors.file_names import date_in_name, parse_roster_name
from recon.connectors.reader import accepted_schema, read_file

__all__ = [
    "FEEDS",
    "LINEAGE_COLUMNS",
    "NULL_MARKERS",
    "QUARANTINE_SCHEMA",
    "Column",
    "Decoded",
    "DiscoveryResult",
    "DropFile",
    "FeedConfigError",
    "FeedSpec",
    "FileRejected",
    "NotATable",
    "ReadResult",
    "accepted_schema",
    "clean_expr",
    "clean_header",
    "clean_series",
    "clean_value",
    "date_in_name",
    "decode_table_bytes",
    "describe_file",
    "discover",
    "feed",
    "load_feed_config",
    "parse_dates",
    "parse_roster_name",
    "read_file",
]
