"""Formats that load as a pair (an adapter names its partner): which files go together,
and a file that waits in the inbox for its partner."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines import adapters
from pipelines.ingest.audit import FileOutcome, record_file
from pipelines.ingest.files import sha256_of
from pipelines.lib.readers import peek_header


def identify_file(path: Path) -> adapters.Identified | None:
    if path.is_symlink():
        return None
    return adapters.identify(peek_header(path, adapters.looks_like_header))


def group_files(
    source: str, files: list[Path]
) -> tuple[list[list[Path]], list[tuple[Path, adapters.Adapter]]]:
    """Files grouped into what loads together: single files, and each file of a paired
    format with its partner (the same name apart from words like List/Detail, else the
    only two of their kinds). Returns (groups, files still waiting for their partner)."""
    if not any(a.partner and a.source == source for a in adapters.ADAPTERS):
        return [[path] for path in files], []  # no paired format: no need to peek
    role: dict[Path, adapters.Adapter] = {}
    for path in files:
        found = identify_file(path)
        if found and found.adapter and found.adapter.partner:
            role[path] = found.adapter
    groups = [[path] for path in files if path not in role]
    leads = [p for p, a in role.items() if a.convert_pair]
    partners = [p for p, a in role.items() if not a.convert_pair]

    def stem(path: Path) -> str:
        return re.sub(r"(?i)export|order|detail|list|订单|宝贝|报表|明细|[\s_\-]", "", path.stem)

    def partners_of(lead: Path) -> list[Path]:
        return [p for p in partners if role[p].name == role[lead].partner]

    for lead in list(leads):
        same = [p for p in partners_of(lead) if stem(p) == stem(lead)]
        if len(same) == 1:
            groups.append([lead, same[0]])
            leads.remove(lead)
            partners.remove(same[0])
    for lead in list(leads):  # the only two of their kinds left belong together
        kind = [p for p in leads if role[p].name == role[lead].name]
        if len(kind) == 1 and len(partners_of(lead)) == 1:
            groups.append([lead, partners_of(lead)[0]])
            leads.remove(lead)
            partners.remove(groups[-1][1])
    return groups, [(path, role[path]) for path in leads + partners]


def record_waiting(
    con: duckdb.DuckDBPyConnection, source: str, path: Path, adapter: adapters.Adapter
) -> FileOutcome:
    """A file of a pair whose partner is not there yet: it stays in the inbox."""
    partner = adapters.BY_NAME[adapter.partner]
    outcome = FileOutcome(
        path.name, "waiting",
        message=f"waits in the inbox for its partner file: {partner.title} of the same "
        f"period ({partner.how_to_export})",
        adapter=adapter.name,
    )  # fmt: skip
    sha = sha256_of(path)
    seen = con.execute(
        "select 1 from audit.file_loads where sha256 = ? and status = 'waiting'", [sha]
    ).fetchone()
    if not seen:  # once per file, not once per run
        load_id = con.execute("select nextval('audit.load_id_seq')").fetchone()[0]
        now = datetime.now(UTC).replace(tzinfo=None)
        record_file(con, load_id, source, sha, None, None, outcome, now, str(path))
    return outcome
