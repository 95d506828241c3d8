"""A feed folder's optional `feed.yaml`: the file's own headers mapped to the contract's headers.

Either a flat mapping, one `file header: contract header` per line (`身份证号: 证件号码`: the file
says 身份证号, the contract says 证件号码), or the same mapping under a `columns:` key.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from recon.connectors.cells import clean_header
from recon.connectors.contract import FeedSpec

FEED_CONFIG_NAME = "feed.yaml"


class FeedConfigError(ValueError):
    """A feed.yaml that cannot be used; the message lists every problem found."""


def validate_header_map(spec: FeedSpec, mapping: dict[str, str], origin: str = "header map") -> list[str]:
    """Every problem of a header map: each target must be one of the feed's contract headers."""
    problems = []
    valid = "、".join(spec.headers)
    for source_header, target in mapping.items():
        if not clean_header(source_header):
            problems.append(f"{origin}: an empty file header is mapped to {target!r}; remove that line")
        if clean_header(target) not in spec.headers:
            problems.append(
                f"{origin}: {source_header!r} is mapped to {target!r}, which is not a column of"
                f" {spec.source}; the valid targets are: {valid}"
            )
    return problems


def parse_header_map(spec: FeedSpec, document: object, origin: str) -> dict[str, str]:
    """Check a loaded feed.yaml document and return its header map (file header → contract header)."""
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise FeedConfigError(
            f"{origin}: expected a mapping of file headers to contract headers (e.g. `身份证号: 证件号码`),"
            f" got {type(document).__name__}"
        )
    if "columns" in document:
        extra = sorted(str(k) for k in document if k != "columns")
        if extra:
            raise FeedConfigError(
                f"{origin}: unknown keys {extra} next to `columns:`; only `columns:` is read"
            )
        document = document["columns"] or {}
        if not isinstance(document, dict):
            raise FeedConfigError(f"{origin}: `columns:` must hold a mapping like `身份证号: 证件号码`")
    problems = []
    mapping: dict[str, str] = {}
    for key, value in document.items():
        if not isinstance(value, str | int) or isinstance(value, bool):
            problems.append(f"{origin}: {key!r} must map to a contract header text, got {value!r}")
            continue
        mapping[str(key)] = clean_header(str(value))
    problems += validate_header_map(spec, mapping, origin)
    if problems:
        raise FeedConfigError("; ".join(problems))
    return mapping


def load_feed_config(spec: FeedSpec, path: Path, origin: str | None = None) -> dict[str, str]:
    """Read and check a feed.yaml; raises FeedConfigError naming every problem."""
    origin = origin or f"{spec.source}/{path.name}"
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise FeedConfigError(
            f"{origin}: cannot be read as UTF-8 YAML ({e}); fix the file or remove it"
        ) from e
    return parse_header_map(spec, document, origin)
