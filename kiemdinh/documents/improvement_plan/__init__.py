"""The quality-improvement plan (kế hoạch cải tiến chất lượng) of a cycle and the report of its monitoring: the
contexts (plan.py, monitoring.py) and the renderers (docx.py, xlsx.py).

- improvement-plan: 2018 regime in the layout of the Thanh Chấn seed (landscape; I mục đích, II căn cứ with the
  self-assessment results, III the nine-column table grouped "MỨC 1, 2, 3" by standard and criterion then "MỨC 4",
  IV tổ chức thực hiện, closing sentence, nơi nhận, signature); TT57 as Biểu 2 Phụ lục V (sections IV–VIII with the
  columns of the framework data). DOCX and XLSX (one sheet with a status column, for follow-up).
- monitoring-report: Báo cáo kết quả giám sát thực hiện kế hoạch — the monitoring team, the reviews held, every line
  with its latest status, the progress noted at each review, adjustments and evidence, counts and overdue lines.

Each builder reads the improvement selectors only (a fixed number of queries whatever the plan's size) and never
creates a plan: a cycle without one gets the marker "Chưa lập kế hoạch cải tiến"."""
