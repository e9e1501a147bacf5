"""The self-assessment council (hội đồng tự đánh giá), its plan (Phụ lục 1) and the nội hàm worksheet (Phụ lục 2/3).

Other code imports the reads from `council.selectors` and the writes from `council.services`; the screens are
`council.views` (routed by `council.urls`, included by the app's urls), their forms `council.forms`, and what these
share `council.constants`. This package itself exports nothing else.
"""
