"""Why a file is refused: the messages naming the cap a file broke, the one for a file that cannot be read, and the
refusal of an upload while another batch of the same person waits for confirmation."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl.utils.cell import get_column_letter

from kiemdinh.core.tabular.caps import EXCEL_MAX_COLUMNS, Caps, number

UNREADABLE_XLSX = "Không đọc được tệp Excel. Hãy kiểm tra tệp có đúng định dạng .xlsx và không bị đặt mật khẩu."
UNREADABLE_CSV = "Không đọc được tệp CSV. Hãy lưu lại tệp dưới dạng “CSV UTF-8”."


class Unreadable(Exception):
    """The file is not what it claims to be (raised inside parser callbacks, turned into a ValidationError)."""


def too_many_sheet_rows(caps: Caps, declared: int | None = None) -> ValidationError:
    what = f"khai báo {number(declared)} dòng" if declared else f"có hơn {number(caps.max_sheet_rows)} dòng"
    return ValidationError(
        f"Trang tính đầu tiên {what} (kể cả dòng trống), vượt quá giới hạn {number(caps.max_sheet_rows)} dòng. "
        "Hãy xóa các dòng trống thừa ở cuối bảng, hoặc chia thành nhiều tệp "
        f"(mỗi tệp tối đa {number(caps.max_rows)} dòng dữ liệu)."
    )


def too_many_columns(caps: Caps, column: int, row: int | None = None) -> ValidationError:
    where = f"Dòng {number(row)} có dữ liệu" if row else "Trang tính đầu tiên có dữ liệu"
    return ValidationError(
        f"{where} ở cột thứ {number(column)} ({get_column_letter(min(column, EXCEL_MAX_COLUMNS))}), vượt quá giới hạn "
        f"{number(caps.max_columns)} cột. Hãy xóa các cột thừa rồi tải lên lại."
    )


def cell_too_long(caps: Caps, address: str, length: int | None = None) -> ValidationError:
    size = f"có {number(length)} ký tự" if length else f"dài hơn {number(caps.max_cell_chars)} ký tự"
    return ValidationError(
        f"Ô {address} {size}, vượt quá giới hạn {number(caps.max_cell_chars)} ký tự mỗi ô. "
        "Hãy rút gọn nội dung ô này rồi tải lên lại."
    )


class ImportPending(ValidationError):
    """A person uploads while a batch of theirs waits for confirmation (one waiting import per person): the refusal
    names the waiting batch, which the start page links."""

    def __init__(self, batch, *, what: str = "lô nhập", where: str = ""):
        self.batch = batch
        super().__init__(
            f"Bạn đang có một {what} chờ xác nhận: tệp “{batch.original_filename}”{where}, tải lên lúc "
            f"{timezone.localtime(batch.created_at):%H:%M ngày %d/%m/%Y}. Hãy xác nhận hoặc hủy lô đó trước khi tải "
            "lên tệp khác."
        )
