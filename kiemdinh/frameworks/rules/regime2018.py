"""TT17/TT18/TT19 of 2018 (Điều 6): levels Mức 1–3 per criterion, Mức 4 as a separate list (Điều 22).

- A criterion reaches Mức k when every indicator of Mức k and of every lower level is achieved.
- The school reaches Mức k (k = 1..3) when it reaches Mức k−1 and every criterion that has Mức-k requirements is at
  Mức k; Mức 4 when it reaches Mức 3 and every Mức 4 item is met. No tolerance clause exists (regulations addendum §3).
- Where the list of Mức 4 items is not fully known (TT18, TT19), Mức 4 cannot be established.
- Accreditation grade (cấp độ) = school level; national standard level (mức độ): Mức 2 → 1, Mức 3 or 4 → 2.
"""


def level_counts(spec, criteria: dict[str, int], level4: dict[str, bool]) -> dict[int, tuple[int, int]]:
    counts = {}
    for k in (1, 2, 3):
        having = [c for c in spec.criteria if c.letters(k) is not None]
        counts[k] = (sum(1 for c in having if criteria[c.code] >= k), len(having))
    counts[4] = (sum(1 for code in spec.level4_items if level4.get(code) is True), len(spec.level4_items))
    return counts


def school_level(spec, criteria: dict[str, int], level4: dict[str, bool]) -> int:
    school = 0
    for k in (1, 2, 3):
        if all(criteria[c.code] >= k for c in spec.criteria if c.letters(k) is not None):
            school = k
        else:
            return school
    if spec.level4_complete and spec.level4_items and all(level4.get(code) is True for code in spec.level4_items):
        school = 4
    return school


def accreditation_grade(school: int) -> int | None:
    return school or None


def national_standard_level(school: int) -> int | None:
    if school >= 3:
        return 2
    if school == 2:
        return 1
    return None


# The school level each national-standard level (mức độ) needs.
NATIONAL_STANDARD_NEEDS = {1: 2, 2: 3}


def blockers(spec, criteria: dict[str, int], level4: dict[str, bool], k: int) -> list[tuple[str, tuple[str, ...]]]:
    """What keeps the school from Mức k, as (Vietnamese message, criterion or item codes) pairs; [] when nothing."""
    found = []
    for lower in range(1, min(k, 3) + 1):
        below = tuple(c.code for c in spec.criteria if c.letters(lower) is not None and criteria[c.code] < lower)
        if below:
            found.append((f"{len(below)} tiêu chí chưa đạt Mức {lower}", below))
    if k == 4:
        if not spec.level4_complete:
            found.append(
                ("Danh mục tiêu chí Mức 4 của thông tư này chưa đầy đủ trong dữ liệu nên chưa xác định được Mức 4", ())
            )
        missing = tuple(code for code in spec.level4_items if level4.get(code) is not True)
        if missing:
            found.append((f"{len(missing)} tiêu chí Mức 4 chưa đạt", missing))
    return found
