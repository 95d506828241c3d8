"""Writes the drop folder: CSV appended chunk by chunk in each file's encoding, xlsx at the end.

Rows are numbered per file as they are written (data rows from 1), which is what the truth's
`source_row` holds. Files get their delivery date as modification time, so "newest file" and
delivery order agree with the file names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
from pathlib import Path

import numpy as np
import polars as pl

from recon.connectors.contract import FEEDS
from recon.synth.badrows import BROKEN_BYTES, BROKEN_MARKER
from recon.synth.plan import SITE_ROSTER_HEADERS, FilePlan
from recon.synth.xlsx import write_xlsx

FEED_YAML = "".join(f"{own}: {contract}\n" for contract, own in SITE_ROSTER_HEADERS.items())


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "gb18030":
        data = text.encode("gb18030")
        return data.replace(BROKEN_MARKER.encode("gb18030"), BROKEN_BYTES)
    return text.encode("utf-8")


class DropWriter:
    def __init__(self, input_dir: Path, plans: dict[str, list[FilePlan]]) -> None:
        self.input_dir = input_dir
        self.plans = plans
        self.rows: dict[tuple[str, int], int] = {}
        self.xlsx: dict[tuple[str, int], list[pl.DataFrame]] = {}
        for source, files in plans.items():
            (input_dir / source).mkdir(parents=True, exist_ok=True)
            for i, f in enumerate(files):
                self.rows[(source, i)] = 0
                if f.role == "resend":
                    continue
                if f.fmt == "xlsx":
                    self.xlsx[(source, i)] = []
                    continue
                header = ",".join(f.headers()) + f.line_terminator
                data = (b"\xef\xbb\xbf" if f.encoding == "utf-8-sig" else b"") + _encode(
                    header, f.encoding or "utf-8"
                )
                (input_dir / f.rel_path).write_bytes(data)
        (input_dir / "site_roster" / "feed.yaml").write_text(FEED_YAML, encoding="utf-8")

    def write(self, source: str, frame: pl.DataFrame) -> pl.DataFrame:
        """Append one chunk's rows of a feed; returns them with `_row` (and community 序号) filled."""
        spec = FEEDS[source]
        names = list(spec.names)
        keys = ["_file", "_order"] + ([] if source == "community_roster" else [spec.key])
        frame = frame.with_row_index("_i").sort([*keys, "_i"]).drop("_i")
        files = frame["_file"].to_numpy()
        bounds = np.flatnonzero(np.diff(files)) + 1
        starts = np.concatenate(([0], bounds)).tolist()
        ends = np.concatenate((bounds, [len(files)])).tolist()
        row_no = np.zeros(frame.height, np.int64)
        for s, e in zip(starts, ends, strict=True):
            if s == e:
                continue
            fi = int(files[s])
            base = self.rows[(source, fi)]
            row_no[s:e] = np.arange(base + 1, base + 1 + e - s)
            self.rows[(source, fi)] = base + e - s
        frame = frame.with_columns(_row=pl.Series(row_no))
        if source == "community_roster":
            frame = frame.with_columns(seq=pl.col("_row").cast(pl.Utf8))
        for s, e in zip(starts, ends, strict=True):
            if s == e:
                continue
            fi = int(files[s])
            plan = self.plans[source][fi]
            part = frame.slice(s, e - s).select(names)
            if plan.fmt == "xlsx":
                self.xlsx[(source, fi)].append(part)
                continue
            buf = io.BytesIO()
            part.write_csv(buf, include_header=False, line_terminator=plan.line_terminator)
            text = buf.getvalue().decode("utf-8")
            with open(self.input_dir / plan.rel_path, "ab") as fh:
                fh.write(_encode(text, plan.encoding or "utf-8"))
        return frame

    def _write_xlsx(
        self, source: str, plan: FilePlan, parts: list[pl.DataFrame], created: dt.datetime
    ) -> None:
        spec = FEEDS[source]
        rows = pl.concat(parts) if parts else pl.DataFrame(schema={c: pl.Utf8 for c in spec.names})
        date_cols = {i for i, c in enumerate(spec.columns) if c.kind == "date"}
        write_xlsx(self.input_dir / plan.rel_path, plan.headers(), rows, date_cols, plan.date_cells, created)

    def finalize(self, as_of: dt.date) -> list[dict]:
        """Write xlsx files, re-delivered copies and modification times; describe every file."""
        created = dt.datetime(as_of.year, as_of.month, as_of.day, 6, 0, 0)
        for (source, fi), parts in self.xlsx.items():
            self._write_xlsx(source, self.plans[source][fi], parts, created)
        self.xlsx.clear()
        described = []
        for source, files in self.plans.items():
            for i, f in enumerate(files):
                path = self.input_dir / f.rel_path
                if f.role == "resend":
                    original = next(
                        o for o in files if o.role == "current" and o.name == f.name.replace("_resend", "")
                    )
                    shutil.copyfile(self.input_dir / original.rel_path, path)
                    self.rows[(source, i)] = self.rows[(source, files.index(original))]
                stamp = dt.datetime.combine(f.file_date, dt.time(20, 0)) + (
                    dt.timedelta(days=3) if f.role == "resend" else dt.timedelta()
                )
                ts = stamp.replace(tzinfo=dt.UTC).timestamp()
                os.utime(path, (ts, ts))
                digest, size = hashlib.sha256(), 0
                with open(path, "rb") as fh:
                    while block := fh.read(1 << 22):
                        digest.update(block)
                        size += len(block)
                described.append(
                    {
                        "source": source,
                        "file": f.name,
                        "path": f"input/{f.rel_path}",
                        "format": f.fmt,
                        "encoding": f.encoding,
                        "date_style": f.date_style,
                        "mixed_dates": f.mixed_dates,
                        "date_cells": f.date_cells,
                        "role": f.role,
                        "delivered": f.file_date.isoformat(),
                        "rows": self.rows[(source, i)],
                        "bytes": size,
                        "sha256": digest.hexdigest(),
                        "community": f.community,
                        "quarter": f.quarter,
                    }
                )
        return described
