"""``Library``: the one façade the window, the CLI, tests and benchmarks drive."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.annotations import AnnotationOps
from app.briefings import BriefingOps
from app.citations import MemoSources, build_memo
from app.documents import DocumentOps
from app.domain import BriefingInfo
from app.errors import KnownError
from app.importers import Limits
from app.paths import styles_folder
from app.search import SearchOps
from app.tags import TagOps
from app.versions import VersionOps
from exporters import Memo, export
from exporters.atomic import check_replaceable
from exporters.styles import StyleInfo, available, find_style, install_style, remove_style
from storage.models import ProjectInfo
from storage.project_file import ProjectFile

FROM_QUERY_LIMIT = 1000
UNTAGGED = "Untagged"


class Library(DocumentOps, AnnotationOps, TagOps, BriefingOps, SearchOps, VersionOps):
    """An open project. Every mutating method is one transaction and returns what it made."""

    def __init__(self, project: ProjectFile, background_index: bool = False) -> None:
        super().__init__(project)
        self.limits = Limits.from_env()
        self._open_index(background_index)

    @classmethod
    def open(cls, location: Path | str, create: bool = True, background_index: bool = False) -> Library:
        """Open (or create) a project file, or a project on a server by its URL; older
        files are backed up and migrated first."""
        return cls(ProjectFile.open(location, create=create), background_index)

    @property
    def backup_path(self) -> Path | None:
        """The backup copy made before migrating an older file, if any."""
        return self._project.backup

    def brief_from_query(self, briefing_id: int, query: str) -> tuple[BriefingInfo, int]:
        """Add the highlights matching ``query``, a section per (first) tag, best first."""
        current = self.briefing(briefing_id)
        present = {i.annotation.id for s in current.sections for i in s.items}
        groups: dict[str, list[int]] = {}
        hits = self.search(query, limit=FROM_QUERY_LIMIT, kind="annotation", snippets=False)
        for hit in hits:
            if hit.annotation_id is None or hit.annotation_id in present:
                continue
            present.add(hit.annotation_id)
            ann = self.annotation(hit.annotation_id)
            groups.setdefault(ann.tags[0] if ann.tags else UNTAGGED, []).append(ann.id)
        for heading, ids in groups.items():
            self.add_items(briefing_id, ids, section=heading)
        return self.briefing(briefing_id), sum(len(v) for v in groups.values())

    def memo(self, briefing_id: int, style: str | None = None) -> Memo:
        """The memo as it will print; ``style`` overrides the briefing's citation style."""
        briefing = self.briefing(briefing_id)
        doc_ids = {i.annotation.doc_id for s in briefing.sections for i in s.items}
        documents = {d.id: d for d in self.documents() if d.id in doc_ids}
        sources = MemoSources(documents, {d: self.document_structure(d) for d in doc_ids},
                              {d: self.document_text(d) for d in doc_ids})
        return build_memo(briefing, sources, find_style(style or briefing.style, styles_folder()))

    def citation_styles(self) -> list[StyleInfo]:
        """The built-in citation styles, then this computer's house styles."""
        return available(styles_folder())

    def add_citation_style(self, path: Path) -> StyleInfo:
        """Check a .csl file and keep it as a house style, named after its file."""
        return install_style(Path(path), styles_folder())

    def remove_citation_style(self, name: str) -> None:
        remove_style(name, styles_folder())

    def export_briefing(self, briefing_id: int, target: Path, template: Path | None = None, *,
                        style: str | None = None, force: bool = False) -> Path:
        """Write the memo; the format follows the suffix. Atomic: all or nothing. Refused
        if a trimmed quote no longer matches its highlight (the quote-integrity check)."""
        problems = self.misquotes(briefing_id)
        if problems:
            raise KnownError("not exported: " + "; ".join(problems))
        if template is None:
            template = self.default_template()
        return export(self.memo(briefing_id, style), Path(target), template, force=force)

    def replace_problem(self, target: Path) -> str | None:
        """Why exporting to ``target`` would be refused without ``force`` (read-only, or
        open in a word processor); None if it would not."""
        try:
            check_replaceable(Path(target))
        except KnownError as exc:
            return str(exc)
        return None

    def default_template(self) -> Path | None:
        with self._read() as s:
            value = s.scalar(select(ProjectInfo.value).where(ProjectInfo.key == "template"))
        return Path(value) if value else None

    def set_default_template(self, template: Path | None) -> None:
        with self._tx() as s:
            row = s.get(ProjectInfo, "template")
            if template is None:
                if row is not None:
                    s.delete(row)
            elif row is None:
                s.add(ProjectInfo(key="template", value=str(template)))
            else:
                row.value = str(template)

    def close(self) -> None:
        self._close_index()
        self._project.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
