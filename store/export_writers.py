"""Writers of corpus records: JSON Lines, CSV for spreadsheets, and Parquet with an explicit schema.

Each writer takes one record at a time and holds at most one Parquet row group, so memory does not
grow with the size of the export.
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from store.corpus import FIELDS

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["CORPUS_FORMATS", "RecordWriter", "as_text", "csv_row", "open_writer", "parquet_schema"]

CORPUS_FORMATS = ("jsonl", "csv", "parquet")
FLAG_SEPARATOR = ";"  # CSV cells hold the flag list joined by this; flag names are snake_case
_ROW_GROUP = 5000  # rows per Parquet row group: a few MB of Chinese text, read back in one piece


class RecordWriter(Protocol):
    def write(self, record: dict[str, Any]) -> None: ...
    def close(self) -> None: ...


def as_text(value: Any) -> Any:
    """A record value in its JSON form: ISO dates and times, everything else as it is."""
    if isinstance(value, datetime):
        iso = value.isoformat()
        return iso[:-6] + "Z" if iso.endswith("+00:00") else iso
    if isinstance(value, date):
        return value.isoformat()
    return value


class JsonlWriter:
    def __init__(self, path: Path) -> None:
        self._f = path.open("w", encoding="utf-8", newline="\n")

    def write(self, record: dict[str, Any]) -> None:
        self._f.write(json.dumps({k: as_text(v) for k, v in record.items()}, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self._f.close()


class CsvWriter:
    """RFC 4180: CRLF between records, quotes where needed, newlines in a body kept inside its quotes."""

    def __init__(self, path: Path, *, bom: bool) -> None:
        # Excel reads UTF-8 without a BOM as the local code page (GBK on Chinese Windows)
        self._f = path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="")
        self._w = csv.writer(self._f, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        self._w.writerow([f.name for f in FIELDS])

    def write(self, record: dict[str, Any]) -> None:
        self._w.writerow(csv_row(record))

    def close(self) -> None:
        self._f.close()


def csv_row(record: dict[str, Any]) -> list[str]:
    """One record as CSV cells, in FIELDS order (the export's and the web download's format)."""
    return [_cell(record[f.name]) for f in FIELDS]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return FLAG_SEPARATOR.join(value)
    return str(as_text(value))


def parquet_schema() -> pa.Schema:
    import pyarrow as pa

    types = {"string": pa.string(), "int64": pa.int64(), "bool": pa.bool_(), "date": pa.date32(),
             "timestamp": pa.timestamp("us", tz="+08:00"), "list<string>": pa.list_(pa.string())}
    fields = []
    for f in FIELDS:
        kind = pa.timestamp("us", tz="UTC") if f.name == "fetched_at" else types[f.type]
        fields.append(pa.field(f.name, kind, nullable=f.nullable, metadata={"description": f.description}))
    return pa.schema(fields, metadata={"producer": "govnews"})


class ParquetWriter:
    def __init__(self, path: Path) -> None:
        import pyarrow.parquet as pq

        self._schema = parquet_schema()
        self._w = pq.ParquetWriter(path, self._schema, compression="zstd")
        self._rows: list[dict[str, Any]] = []

    def write(self, record: dict[str, Any]) -> None:
        self._rows.append(record)
        if len(self._rows) >= _ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self._rows:
            self._w.write_table(pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []

    def close(self) -> None:
        self._flush()
        self._w.close()


def open_writer(fmt: str, path: Path, *, bom: bool = False) -> RecordWriter:
    if fmt == "jsonl":
        return JsonlWriter(path)
    if fmt == "csv":
        return CsvWriter(path, bom=bom)
    if fmt == "parquet":
        return ParquetWriter(path)
    raise ValueError(f"not a corpus format: {fmt!r}")
