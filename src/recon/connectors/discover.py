"""Finding the drop files: one folder per feed, files ordered oldest → newest."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from recon.connectors.base import DropFile, FileRejected
from recon.connectors.contract import FEEDS, FeedSpec
from recon.connectors.feed_config import FEED_CONFIG_NAME, FeedConfigError, load_feed_config
from recon.connectors.file_names import DATA_EXTENSIONS, ROSTER_NAME_HINT, date_in_name, parse_roster_name

# Files that operating systems and Office leave in folders; not deliveries.
_NOISE = ("thumbs.db", "desktop.ini")


@dataclass
class DiscoveryResult:
    """What the drop folder holds, per feed."""

    input_dir: Path
    files: dict[str, list[DropFile]] = field(default_factory=dict)  # feed → files, oldest first
    newest: dict[str, DropFile] = field(default_factory=dict)  # snapshot feeds: the one file read
    header_maps: dict[str, dict[str, str]] = field(default_factory=dict)  # feed → feed.yaml mapping
    rejected: list[FileRejected] = field(default_factory=list)
    unknown_folders: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # ignored entries and identical re-deliveries

    def to_read(self, source: str) -> list[DropFile]:
        """The files of a feed to read in this run, in order.

        A snapshot feed reads only its newest file; other feeds read every file once (a
        re-delivered identical file, same sha256, is read at its first position only).
        """
        if source in self.newest:
            return [self.newest[source]]
        seen: set[str] = set()
        out = []
        for drop in self.files.get(source, []):
            if drop.sha256 not in seen:
                seen.add(drop.sha256)
                out.append(drop)
        return out


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_ignored(path: Path) -> bool:
    name = path.name
    return name.startswith((".", "~$")) or name.lower() in _NOISE or name == FEED_CONFIG_NAME


def describe_file(spec: FeedSpec, path: Path) -> DropFile | FileRejected:
    """One file of a feed folder as a DropFile (hash, size, order key), or why it is refused."""
    source_file = f"{spec.source}/{path.name}"
    suffix = path.suffix.lower()
    if suffix not in DATA_EXTENSIONS:
        hint = (
            f"name it {FEED_CONFIG_NAME}"
            if suffix in (".yml", ".yaml")
            else "save it as .xlsx or as a UTF-8 .csv"
        )
        return FileRejected(
            spec.source,
            source_file,
            f"{source_file}: files of type {suffix or '(no extension)'!r} are not read; {hint}",
        )
    stat = path.stat()
    community = quarter = None
    if spec.mode == "quarterly":
        roster = parse_roster_name(path.name)
        if roster is None:
            return FileRejected(
                spec.source,
                source_file,
                f"{source_file}: a community roster must be named {ROSTER_NAME_HINT}; rename the file",
            )
        community, quarter, day = roster.community, roster.quarter, roster.quarter_start
    else:
        day = date_in_name(path.name) or datetime.fromtimestamp(stat.st_mtime).date()
    return DropFile(
        source=spec.source,
        path=path,
        sha256=file_sha256(path),
        size=stat.st_size,
        order_key=(day.isoformat(), stat.st_mtime_ns, path.name),
        community=community,
        quarter=quarter,
    )


def _feed_folder(spec: FeedSpec, folder: Path, result: DiscoveryResult) -> None:
    drops: list[DropFile] = []
    rejected: list[FileRejected] = []
    for path in sorted(folder.iterdir()):
        if path.is_dir():
            result.notes.append(f"{spec.source}/{path.name}/: sub-folders are not read")
        elif not _is_ignored(path):
            found = describe_file(spec, path)
            (drops if isinstance(found, DropFile) else rejected).append(found)
    config = folder / FEED_CONFIG_NAME
    if config.is_file():
        try:
            result.header_maps[spec.source] = load_feed_config(spec, config)
        except FeedConfigError as e:
            # A wrong mapping would silently drop or misplace a column: read none of the feed.
            result.rejected.append(FileRejected(spec.source, f"{spec.source}/{FEED_CONFIG_NAME}", str(e)))
            rejected += [
                FileRejected(
                    spec.source,
                    f"{spec.source}/{d.path.name}",
                    f"{spec.source}/{d.path.name}: not read because {spec.source}/{FEED_CONFIG_NAME} is"
                    " invalid; fix it (see its own message)",
                )
                for d in drops
            ]
            drops = []
    result.rejected += rejected
    drops.sort(key=lambda d: d.order_key)
    _note_repeats(spec, drops, result)
    result.files[spec.source] = drops
    if spec.mode == "snapshot" and drops:
        result.newest[spec.source] = drops[-1]


def _note_repeats(spec: FeedSpec, drops: list[DropFile], result: DiscoveryResult) -> None:
    first_by_hash: dict[str, str] = {}
    for d in drops:
        if d.sha256 in first_by_hash:
            result.notes.append(
                f"{spec.source}/{d.path.name} is identical to {spec.source}/{first_by_hash[d.sha256]}; read once"
            )
        else:
            first_by_hash[d.sha256] = d.path.name
    if spec.mode != "quarterly":
        return
    quarters: dict[tuple[str | None, str | None], str] = {}
    for d in drops:
        if (d.community, d.quarter) in quarters:
            result.notes.append(
                f"{spec.source}: {d.path.name} and {quarters[(d.community, d.quarter)]} are both"
                f" {d.community} {d.quarter}; the later file's rows supersede the earlier's"
            )
        quarters[(d.community, d.quarter)] = d.path.name


def discover(input_dir: Path) -> DiscoveryResult:
    """List each feed folder's data files, oldest → newest, with rejections and unknown folders.

    Order: the date in the file name (for community_roster its quarter; a name without a date
    uses the file's modification date), then modification time, then name.
    """
    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        raise FileNotFoundError(f"input folder {input_dir} does not exist or is not a folder")
    result = DiscoveryResult(input_dir=input_dir)
    for entry in sorted(input_dir.iterdir()):
        if entry.name.startswith(".") or (entry.is_file() and _is_ignored(entry)):
            continue
        if not entry.is_dir():
            result.notes.append(f"{entry.name}: files outside a feed folder are not read")
        elif entry.name in FEEDS:
            _feed_folder(FEEDS[entry.name], entry, result)
        elif entry.name == "reference":  # reference tables (recon.connectors.reference), not a feed
            continue
        else:
            result.unknown_folders.append(entry.name)
    if result.unknown_folders:
        result.notes.append(
            f"unknown folders {result.unknown_folders} are not read; the contract's feeds are {sorted(FEEDS)}"
        )
    return result
