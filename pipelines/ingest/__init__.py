"""Load the files waiting in `inbox/<source>/` into `raw.<source>`.

Files load in order, a batch of them per transaction: a file's good rows replace rows
with the same natural key (the most recently loaded file wins), its bad rows go to
`audit.quarantine`, and `audit.file_loads` gets a row that reconciles rows_read =
rows_loaded + rows_quarantined. Only after the commit do the files move to `archive/`, so a
crash mid-load leaves them in the inbox and the warehouse as it was; on the rerun a
committed file is recognised by its sha256 and only moved.

The ingest layer sits above the platform adapters and the base helpers of pipelines/lib:
files (the inbox), audit (what became of each file and row), convert (adapters, parsing),
pairs (formats that load with a partner file), load (the transactions, the archive re-read).
"""

from pipelines.ingest.audit import FileOutcome, IngestSummary
from pipelines.ingest.files import pending_files
from pipelines.ingest.load import ingest_source, reread_archive

__all__ = [
    "FileOutcome",
    "IngestSummary",
    "ingest_source",
    "pending_files",
    "reread_archive",
]
