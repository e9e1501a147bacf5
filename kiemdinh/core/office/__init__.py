"""Office-document helpers, free of any app: DOCX building blocks in the format of Nghị định 30/2020/NĐ-CP
(docx_kit), the marker of a value the data does not have (missing) and DOCX → PDF through LibreOffice (pdf)."""
