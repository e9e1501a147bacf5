from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from kiemdinh.core.text import fold

# TT 57/2026 (ngày 07/7/2026) replaces TT17/18/19 of 2018; cycles from this date use its framework.
TT57_FROM = date(2026, 7, 7)


class UnitKind(models.TextChoices):
    PROVINCE = "province", "Tỉnh/thành phố"
    DISTRICT = "district", "Huyện/quận/thị xã/thành phố thuộc tỉnh"
    COMMUNE = "commune", "Xã/phường/thị trấn"


class UnitQuerySet(models.QuerySet):
    def within(self, unit):
        """The unit and every unit below it."""
        return self.filter(path__startswith=unit.path)

    def active(self, on: date | None = None):
        on = on or date.today()
        return self.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on))


# select_related() arguments that load a unit's parent chain, for AdministrativeUnit.ancestors() without a query.
ANCESTORS_RELATED = ("parent__parent",)


class AdministrativeUnit(models.Model):
    """A node of the administrative tree: province → (district) → commune.

    Since 1 July 2025 there is no district level; districts stay in the tree (with their dissolution date) so that
    records made under them keep pointing at the unit that existed then.
    """

    code = models.CharField("mã đơn vị", max_length=32, unique=True)
    name = models.CharField("tên đơn vị", max_length=200)
    kind = models.CharField("cấp", max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="đơn vị cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of codes ("/46/46-HT/"), so "everything below a unit" is one indexed prefix query.
    path = models.CharField(max_length=400, db_index=True, editable=False)
    education_office = models.CharField("cơ quan quản lý giáo dục", max_length=200, blank=True)
    dissolved_on = models.DateField("ngày giải thể", null=True, blank=True)
    # When the unit came into being, where known (a commune formed by the 2025 reform: 1/7/2025); blank: always.
    established_on = models.DateField("ngày thành lập", null=True, blank=True)
    search_text = models.CharField(max_length=400, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = self.build_path()
        self.search_text = fold(f"{self.code} {self.name}")
        super().save(*args, **kwargs)

    def build_path(self) -> str:
        return (self.parent.path if self.parent_id else "/") + self.code + "/"

    @property
    def is_commune(self) -> bool:
        """A commune or ward (cấp xã): the level whose only body in this system is its People's Committee."""
        return self.kind == UnitKind.COMMUNE

    @property
    def ancestor_paths(self) -> list[str]:
        """The paths of every unit above this one, the province first."""
        parts = [p for p in self.path.split("/") if p]
        return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]

    def ancestors(self) -> list["AdministrativeUnit"]:
        """The units above this one, the province first. No query when the parent chain was loaded with
        select_related (ANCESTORS_RELATED covers the three levels province, district, commune), else one."""
        chain, unit = [], self
        while unit.parent_id:
            if not AdministrativeUnit.parent.is_cached(unit):
                return list(AdministrativeUnit.objects.filter(path__in=self.ancestor_paths).order_by("path"))
            unit = unit.parent
            chain.append(unit)
        return chain[::-1]


class SchoolType(models.TextChoices):
    MN = "MN", "Trường mầm non"
    MG = "MG", "Trường mẫu giáo"
    NT = "NT", "Nhà trẻ"
    TH = "TH", "Trường tiểu học"
    THCS = "THCS", "Trường trung học cơ sở"
    THPT = "THPT", "Trường trung học phổ thông"
    TH_THCS = "TH_THCS", "Trường tiểu học và trung học cơ sở"
    THCS_THPT = "THCS_THPT", "Trường trung học cơ sở và trung học phổ thông"
    PTNCH = "PTNCH", "Trường phổ thông có nhiều cấp học"


KINDERGARTEN_TYPES = {SchoolType.MN, SchoolType.MG, SchoolType.NT}
SHORT_TYPE_LABELS = {
    SchoolType.MN: "MN",
    SchoolType.MG: "MG",
    SchoolType.NT: "NT",
    SchoolType.TH: "TH",
    SchoolType.THCS: "THCS",
    SchoolType.THPT: "THPT",
    SchoolType.TH_THCS: "TH&THCS",
    SchoolType.THCS_THPT: "THCS&THPT",
    SchoolType.PTNCH: "PT nhiều cấp",
}


class Ownership(models.TextChoices):
    CONG_LAP = "cong_lap", "Công lập"
    TU_THUC = "tu_thuc", "Tư thục"
    DAN_LAP = "dan_lap", "Dân lập"


def framework_code_for(school_type: str, on: date) -> str:
    """The regulation version that applies to a school type on a date (its cycle's start)."""
    if on >= TT57_FROM:
        return "tt57-2026-mn" if school_type in KINDERGARTEN_TYPES else "tt57-2026-pt"
    if school_type in KINDERGARTEN_TYPES:
        return "tt19-2018"
    if school_type == SchoolType.TH:
        return "tt17-2018"
    return "tt18-2018"


class SchoolQuerySet(models.QuerySet):
    def within(self, unit):
        return self.filter(unit__path__startswith=unit.path)


class School(models.Model):
    code = models.CharField("mã trường", max_length=32, unique=True)
    name = models.CharField("tên trường", max_length=200)
    school_type = models.CharField("loại trường", max_length=16, choices=SchoolType.choices)
    ownership = models.CharField("loại hình", max_length=16, choices=Ownership.choices, default=Ownership.CONG_LAP)
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name="đơn vị quản lý", on_delete=models.PROTECT, related_name="schools"
    )
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    phone = models.CharField("điện thoại", max_length=40, blank=True)
    founded_year = models.PositiveSmallIntegerField("năm thành lập", null=True, blank=True)
    is_active = models.BooleanField("đang hoạt động", default=True)
    # "Tên trước đây" (Phần I of the report): the schools merged into this one, "code name" each, one a line; their old
    # codes and names find this school.
    former_names = models.TextField("tên trước đây", blank=True)
    search_text = models.CharField(max_length=1000, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "trường"
        verbose_name_plural = "trường"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.code} {self.name} {self.former_names}".replace("\n", " "))[:1000]
        super().save(*args, **kwargs)

    @property
    def short_type(self) -> str:
        return SHORT_TYPE_LABELS[SchoolType(self.school_type)]

    def framework_code(self, on: date | None = None) -> str:
        return framework_code_for(self.school_type, on or date.today())


class ChangeKind(models.TextChoices):
    ESTABLISH = "establish", "Thành lập đơn vị"
    RENAME = "rename", "Đổi tên đơn vị"
    MOVE = "move", "Chuyển sang đơn vị cấp trên khác"
    DISSOLVE = "dissolve", "Giải thể, sáp nhập"
    SCHOOL_MOVE = "school_move", "Chuyển trường sang đơn vị quản lý khác"


class DecidedChange(models.Model):
    """A dated change and the document that decided it (số, ngày, cơ quan ban hành), with a note of what is
    illustrative; who recorded it and when."""

    effective_on = models.DateField("ngày có hiệu lực", db_index=True)
    decision_number = models.CharField("số văn bản", max_length=100)
    decision_date = models.DateField("ngày văn bản")
    decision_body = models.CharField("cơ quan ban hành", max_length=200)
    note = models.CharField("ghi chú", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class UnitChange(DecidedChange):
    """One dated change of the tree, with the document that decided it (số, ngày, cơ quan ban hành): a unit established
    (under new_parent), renamed, moved under another unit, dissolved (its communes and schools moved to named
    successors first, each a change of its own), a school moved to another managing unit (its old and new unit in
    old_parent/new_parent). The rows keep the values before and after, so the tree as it was on any date is today's
    tree with the later changes undone (units.selectors.TreeOn). `note` says what is illustrative ("minh họa")."""

    kind = models.CharField("loại thay đổi", max_length=16, choices=ChangeKind.choices)
    unit = models.ForeignKey(
        AdministrativeUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.PROTECT, related_name="changes")
    old_name = models.CharField(max_length=200, blank=True)
    new_name = models.CharField(max_length=200, blank=True)
    # A rename's education office before and after ("Sở GD&ĐT Thừa Thiên Huế" → "Sở GD&ĐT thành phố Huế"); None on
    # rows recorded before offices were kept: the office then is taken to be today's.
    old_office = models.CharField(max_length=200, null=True, blank=True)
    new_office = models.CharField(max_length=200, null=True, blank=True)
    old_parent = models.ForeignKey(
        AdministrativeUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_parent = models.ForeignKey(
        AdministrativeUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    successor = models.ForeignKey(
        AdministrativeUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="predecessor_changes"
    )

    class Meta:
        ordering = ["effective_on", "id"]
        verbose_name = "thay đổi đơn vị"
        verbose_name_plural = "thay đổi đơn vị"

    def __str__(self):
        return f"{self.effective_on:%d/%m/%Y} {self.get_kind_display()}"


class CampusKind(models.TextChoices):
    MAIN = "main", "Điểm trường chính"
    SITE = "site", "Điểm trường lẻ"
    BRANCH = "branch", "Phân hiệu"


class Campus(models.Model):
    """A site of a school (điểm trường chính, điểm lẻ, phân hiệu) with its address and pupils; a school merged into
    another usually goes on as one of its sites (`predecessor`)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="campuses", verbose_name="trường")
    name = models.CharField("tên điểm trường", max_length=200)
    kind = models.CharField("loại", max_length=8, choices=CampusKind.choices, default=CampusKind.SITE)
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    pupils = models.PositiveIntegerField("số học sinh (trẻ)", null=True, blank=True)
    classes = models.PositiveSmallIntegerField("số lớp (nhóm)", null=True, blank=True)
    predecessor = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="trường trước sáp nhập"
    )
    is_active = models.BooleanField("đang hoạt động", default=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["school", "position", "id"]
        verbose_name = "điểm trường"
        verbose_name_plural = "điểm trường"
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="campus_name_unique_per_school")]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


class SchoolMerger(DecidedChange):
    """A school merged into another on a date, by a decision (số, ngày, cơ quan ban hành): the predecessor stops
    (is_active False), its cycles, evidence and decisions stay its own and readable under the successor."""

    predecessor = models.OneToOneField(School, on_delete=models.PROTECT, related_name="merged_into")
    successor = models.ForeignKey(School, on_delete=models.PROTECT, related_name="predecessor_mergers")

    class Meta:
        ordering = ["effective_on", "id"]
        verbose_name = "sáp nhập trường"
        verbose_name_plural = "sáp nhập trường"

    def __str__(self):
        return f"{self.predecessor} → {self.successor} ({self.effective_on:%d/%m/%Y})"


class ImportKind(models.TextChoices):
    UNITS = "units", "Đơn vị hành chính"
    SCHOOLS = "schools", "Trường"
    ACCOUNTS = "accounts", "Tài khoản (cán bộ, hiệu trưởng)"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Chờ xác nhận"
    COMMITTED = "committed", "Đã nhập"
    DISCARDED = "discarded", "Đã hủy"
    EXPIRED = "expired", "Hết hạn"


class ImportBatch(models.Model):
    """One uploaded list of units or schools: parsed and checked rows, shown for review, then committed or discarded.

    The rows are stored (not the file) so the preview and the commit see exactly the same data; only what the preview
    shows is stored, and a discarded or expired batch keeps none. A person has at most one batch waiting.
    """

    kind = models.CharField("loại dữ liệu", max_length=16, choices=ImportKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người nhập", on_delete=models.PROTECT, related_name="import_batches"
    )
    created_at = models.DateTimeField("thời điểm tải lên", auto_now_add=True)
    original_filename = models.CharField("tên tệp", max_length=255, blank=True)
    status = models.CharField("trạng thái", max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    rows = models.JSONField("các dòng dữ liệu", default=list, blank=True)
    errors = models.JSONField("các lỗi", default=list, blank=True)  # [{"row": 3, "column": "Cấp", "message": "…"}]
    committed_at = models.DateTimeField("thời điểm nhập", null=True, blank=True)
    result = models.JSONField("kết quả", default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "lô nhập dữ liệu"
        verbose_name_plural = "lô nhập dữ liệu"
        constraints = [
            models.UniqueConstraint(
                fields=["created_by"],
                condition=models.Q(status=ImportStatus.PENDING),
                name="import_batch_one_pending_per_user",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.original_filename} ({self.get_status_display()})"

    @property
    def is_committed(self) -> bool:
        return self.status == ImportStatus.COMMITTED

    @property
    def is_discarded(self) -> bool:
        return self.status == ImportStatus.DISCARDED

    @property
    def error_row_count(self) -> int:
        return len({e["row"] for e in self.errors})

    @property
    def valid_row_count(self) -> int:
        return len(self.rows) - self.error_row_count
