"""The appendices of the self-assessment report as separate documents (regulations.md §4.1 and §4.2).

Each document is a context builder (plain data from the cycle, a fixed number of queries whatever its size) plus one
renderer per format:

- council-decision: Quyết định thành lập hội đồng tự đánh giá, with the list of members and working groups;
- plan: Phụ lục 1, Kế hoạch tự đánh giá;
- scope-worksheet: Phụ lục 2/3, Phiếu xác định nội hàm (a blank cell is a worksheet not yet filled, not missing data);
- evidence-catalogue: Phụ lục 4, Danh mục mã minh chứng (DOCX and XLSX; TT57 columns per mục II khoản 4 Phụ lục IV);
- criterion-forms: Phụ lục 5a/5b, Phiếu đánh giá tiêu chí, built from the report's criterion parts.

The contexts of the first two are read from the council (council.py), of the other three per criterion (criteria.py);
the renderers are docx.py and xlsx.py. Each context lists in `missing` the labels of the markers its renderers print,
and only those."""
