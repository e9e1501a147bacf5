"""An authority's plan (kế hoạch của UBND, Phòng GD&ĐT…) as documents, in the layout of the Hương Trà seed: its context
(context.py) and its renderers (docx.py, xlsx.py).

- DOCX (A4 portrait, Nghị định 30/2020): the header table (issuing body / national motto, "Số: 20/KH-UBND", place and
  date), "KẾ HOẠCH" and the trích yếu, the "Căn cứ… / Thực hiện…" paragraphs, "I. MỤC ĐÍCH, YÊU CẦU" (1. Mục đích,
  2. Yêu cầu) when the plan has them, the officer's sections numbered II, III, IV… (I, II… without section I), the
  closing paragraph, "Nơi nhận" beside the signature block; then, each on a new page and only when it has rows, the
  list of schools ("DANH SÁCH CƠ SỞ GIÁO DỤC…", Hương Trà) and the assignment of tasks ("PHỤ LỤC: PHÂN CÔNG NHIỆM
  VỤ", Cao Lộc, on a landscape page).
- XLSX: the schools with where each stands today, the targets (chỉ tiêu) with their live progress, the tasks.

Before the plan is signed its number and date stay blank as the seeds print them ("Số:        /KH-UBND", "Cao Lộc,
ngày      tháng      năm 2024"); what is still blank is listed in `missing` (the export command prints it)."""
