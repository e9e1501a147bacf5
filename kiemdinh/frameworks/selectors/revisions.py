"""A framework version's revisions of its data (FrameworkRevision), ready for the page."""

from dataclasses import dataclass

from kiemdinh.frameworks.models import FrameworkRevision

FIELD_LABELS = {
    "text": "nội dung",
    "name": "tên",
    "name_variant": "tên ghi khác",
    "note": "ghi chú",
    "amendments": "văn bản sửa đổi",
    "effective_note": "ghi chú ngày hiệu lực",
}
SHOWN_FIELDS = {"text", "name", "name_variant"}  # wording shown before/after; other changes are described by a note


@dataclass(frozen=True)
class RevisionChange:
    where: str
    field: str
    before: str
    after: str
    note: str


@dataclass(frozen=True)
class RevisionView:
    revision: FrameworkRevision
    changes: list[RevisionChange]


def revision_view(revision: FrameworkRevision) -> RevisionView:
    """A revision's declared changes, ready for the page: wording before and after only where it is a text."""
    changes = []
    for change in revision.changes or []:
        where, _, field_name = str(change.get("path", "")).partition("|")
        shown = field_name in SHOWN_FIELDS
        changes.append(
            RevisionChange(
                where=where,
                field=FIELD_LABELS.get(field_name, field_name),
                before=str(change.get("before") or "") if shown else "",
                after=str(change.get("after") or "") if shown else "",
                note=str(change.get("note", "")),
            )
        )
    return RevisionView(revision=revision, changes=changes)
