"""The columns of each kind of list: label, aliases accepted in a header, length limit, example and help text.

The same definitions drive the header matching (parsing), the length checks (checks), the preview and the template.
"""

from django.core.exceptions import ValidationError

from kiemdinh.core.tabular.columns import Column
from kiemdinh.units.models import ImportKind

UNIT_COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "Mã đơn vị",
        required=True,
        max_length=32,
        example="19774",
        help="Bắt buộc. Chữ không dấu, số và các dấu - _ . (tối đa 32 ký tự); không trùng với đơn vị đã có.",
        aliases=("Mã ĐV", "Mã đơn vị hành chính"),
        as_text=True,
    ),
    Column(
        "name",
        "Tên đơn vị",
        required=True,
        max_length=200,
        example="Phường Thuận Hóa",
        help="Bắt buộc. Tên đầy đủ, ví dụ “Phường Thuận Hóa”.",
        aliases=("Tên đơn vị hành chính",),
    ),
    Column(
        "kind",
        "Cấp",
        required=True,
        example="Phường",
        help="Bắt buộc. Tỉnh, Thành phố, Huyện, Quận, Thị xã, Xã, Phường, Thị trấn, Đặc khu "
        "(hoặc province, district, commune). “Thành phố” không có đơn vị cấp trên là cấp tỉnh, "
        "có đơn vị cấp trên là thành phố thuộc tỉnh.",
        aliases=("Cấp đơn vị", "Cấp hành chính", "Loại đơn vị"),
    ),
    Column(
        "parent_code",
        "Mã đơn vị cấp trên",
        max_length=32,
        example="46",
        help="Để trống với tỉnh/thành phố trực thuộc trung ương. Có thể là mã một đơn vị ở dòng phía trên "
        "trong cùng tệp.",
        aliases=("Mã cấp trên", "Mã ĐV cấp trên"),
        as_text=True,
    ),
    Column(
        "education_office",
        "Cơ quan quản lý giáo dục",
        max_length=200,
        example="UBND phường Thuận Hóa",
        help="Không bắt buộc, ví dụ “Phòng GD&ĐT …” hoặc “Sở GD&ĐT …”.",
        aliases=("Cơ quan quản lý",),
    ),
)

SCHOOL_COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "Mã trường",
        required=True,
        max_length=32,
        example="TH-THUANHOA",
        help="Bắt buộc. Chữ không dấu, số và các dấu - _ . (tối đa 32 ký tự); không trùng với trường đã có.",
        as_text=True,
    ),
    Column(
        "name",
        "Tên trường",
        required=True,
        max_length=200,
        example="Trường Tiểu học Thuận Hóa",
        help="Bắt buộc.",
    ),
    Column(
        "school_type",
        "Loại trường",
        required=True,
        example="TH",
        help="Bắt buộc. MN, MG, NT, TH, THCS, THPT, TH&THCS, THCS&THPT, PTNCH hoặc tên đầy đủ "
        "(ví dụ “Trường tiểu học”).",
        aliases=("Loại",),
    ),
    Column(
        "ownership",
        "Loại hình",
        example="Công lập",
        help="Công lập, Tư thục hoặc Dân lập; để trống là Công lập.",
    ),
    Column(
        "unit_code",
        "Mã đơn vị quản lý",
        required=True,
        max_length=32,
        example="19774",
        help="Bắt buộc. Mã đơn vị hành chính đã có trong hệ thống và thuộc phạm vi quản lý của bạn.",
        aliases=("Mã đơn vị",),
        as_text=True,
    ),
    Column("address", "Địa chỉ", max_length=300, example="Số 1 Lê Lợi", help="Không bắt buộc."),
    Column(
        "phone",
        "Điện thoại",
        max_length=40,
        example="0234 3822 123",
        help="Không bắt buộc.",
        aliases=("Số điện thoại", "SĐT"),
        as_text=True,
    ),
    Column(
        "founded_year",
        "Năm thành lập",
        example="1976",
        help="Không bắt buộc. Năm gồm 4 chữ số.",
    ),
)

ACCOUNT_COLUMNS: tuple[Column, ...] = (
    Column("full_name", "Họ và tên", required=True, max_length=200, example="Nguyễn Thị An", help="Bắt buộc."),
    Column(
        "username",
        "Tên đăng nhập",
        required=True,
        max_length=150,
        example="nguyenthi.an",
        help="Bắt buộc. Chữ không dấu, số và các dấu . - _ @; không trùng với tài khoản đã có.",
        aliases=("Tài khoản",),
        as_text=True,
    ),
    Column(
        "email",
        "Thư điện tử",
        max_length=254,
        example="an.nguyen@example.vn",
        help="Không bắt buộc. Có địa chỉ thì hệ thống gửi thư mời đặt mật khẩu; không có thì in phiếu ở trang "
        "Quản lý tài khoản.",
        aliases=("Email", "E-mail", "Địa chỉ thư"),
    ),
    Column(
        "role",
        "Vai trò",
        required=True,
        example="Hiệu trưởng",
        help="Bắt buộc. “Cán bộ quản lý” (của một đơn vị) hoặc “Hiệu trưởng” (của một trường), trong phạm vi "
        "quản lý của bạn.",
    ),
    Column(
        "unit_code",
        "Mã đơn vị",
        max_length=32,
        example="",
        help="Với cán bộ quản lý: mã đơn vị công tác (đơn vị của bạn hoặc cấp dưới).",
        as_text=True,
    ),
    Column(
        "school_code",
        "Mã trường",
        max_length=32,
        example="TH-THUANHOA",
        help="Với hiệu trưởng: mã trường (thuộc phạm vi quản lý của bạn).",
        as_text=True,
    ),
    Column("title", "Chức vụ", max_length=200, example="Hiệu trưởng", help="Không bắt buộc."),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportKind.UNITS: UNIT_COLUMNS,
    ImportKind.SCHOOLS: SCHOOL_COLUMNS,
    ImportKind.ACCOUNTS: ACCOUNT_COLUMNS,
}


def columns_for(kind: str) -> tuple[Column, ...]:
    try:
        return COLUMNS[kind]
    except KeyError:
        raise ValidationError("Loại dữ liệu nhập không hợp lệ.") from None


def column_label(kind: str, key: str) -> str:
    return next(c.label for c in columns_for(kind) if c.key == key)
