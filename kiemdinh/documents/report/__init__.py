"""Báo cáo tự đánh giá: the context (plain data from the cycle, context.py) and its DOCX renderer (docx.py).

Outline (regulations.md §4.1, Laravel app's outline; TT57 follows the same shape with Mức 1–2 and no Mức 4 part):
cover, MỤC LỤC, DANH MỤC CÁC CHỮ VIẾT TẮT, TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ (tables, conclusion), Phần I CƠ SỞ DỮ LIỆU,
Phần II TỰ ĐÁNH GIÁ (A. Đặt vấn đề; B. per standard: Mở đầu, per criterion 1–5, Kết luận; Mức 4), Phần III KẾT LUẬN
CHUNG, Phần IV PHỤ LỤC (danh mục mã minh chứng)."""
