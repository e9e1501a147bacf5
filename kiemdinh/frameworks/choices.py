"""The frameworks' choices, without models: the rule engine and the data files' reader (spec) use them too."""

from django.db import models


class Regime(models.TextChoices):
    R2018 = "2018", "Quy định năm 2018 (TT17, TT18, TT19)"
    TT57 = "tt57", "Thông tư 57/2026/TT-BGDĐT"


class Confidence(models.TextChoices):
    EXACT = "exact", "Nguyên văn"
    EXACT_PER_SEED = "exact_per_seed", "Nguyên văn theo nguồn chưa đối chiếu công báo"
    APPROXIMATE = "approximate", "Gần đúng (diễn giải hoặc bản dịch)"
    MISSING = "missing", "Chưa có văn bản"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Bản nháp"
    PUBLISHED = "published", "Đã công bố"


class Level4Status(models.TextChoices):
    COMPLETE = "complete", "Đủ danh mục"
    PARTIAL = "partial", "Thiếu một phần danh mục"
    MISSING = "missing", "Chưa có danh mục"
    NONE = "none", "Không có Mức 4"


class RevisionKind(models.TextChoices):
    ERRATUM = "erratum", "Đính chính dữ liệu"
    AMENDMENT = "amendment", "Ghi nhận văn bản sửa đổi"
