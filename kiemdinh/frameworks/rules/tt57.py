"""TT 57/2026 (khoản 3 Điều 5, as paraphrased by the sources): two levels, eight mandatory criteria.

- A criterion reaches Mức 1 when its Mức 1 requirement is met, Mức 2 when Mức 1 and Mức 2 are met.
- School Mức 1: all mandatory criteria at Mức 1 and at least 5 of the other 7 at Mức 1.
- School Mức 2: all mandatory criteria at Mức 2, at least 5 of the other 7 at Mức 2, and none below Mức 1.
- No accreditation grade (cấp độ); national standard level (Điều 16 khoản 2): Mức 1 → 1, Mức 2 → 2.
"""

MIN_OTHERS = 5


def level_counts(spec, criteria: dict[str, int], level4: dict[str, bool]) -> dict[int, tuple[int, int]]:
    return {
        k: (
            sum(1 for c in spec.criteria if criteria[c.code] >= k),
            sum(1 for c in spec.criteria if c.letters(k)),
        )
        for k in (1, 2)
    }


def _meets(spec, criteria: dict[str, int], k: int) -> bool:
    mandatory = [c for c in spec.criteria if c.mandatory]
    others = [c for c in spec.criteria if not c.mandatory]
    if not all(criteria[c.code] >= k for c in mandatory):
        return False
    if sum(1 for c in others if criteria[c.code] >= k) < min(MIN_OTHERS, len(others)):
        return False
    return not (k == 2 and any(criteria[c.code] < 1 for c in others))


def school_level(spec, criteria: dict[str, int], level4: dict[str, bool]) -> int:
    if not _meets(spec, criteria, 1):
        return 0
    return 2 if _meets(spec, criteria, 2) else 1


def accreditation_grade(school: int) -> int | None:
    return None


def national_standard_level(school: int) -> int | None:
    return school or None


NATIONAL_STANDARD_NEEDS = {1: 1, 2: 2}


def blockers(spec, criteria: dict[str, int], level4: dict[str, bool], k: int) -> list[tuple[str, tuple[str, ...]]]:
    """What keeps the school from Mức k, as (Vietnamese message, criterion codes) pairs; [] when nothing."""
    found = []
    mandatory = tuple(c.code for c in spec.criteria if c.mandatory and criteria[c.code] < k)
    if mandatory:
        found.append((f"{len(mandatory)} tiêu chí bắt buộc chưa đạt Mức {k}", mandatory))
    others = [c for c in spec.criteria if not c.mandatory]
    need = min(MIN_OTHERS, len(others))
    reached = sum(1 for c in others if criteria[c.code] >= k)
    if reached < need:
        below = tuple(c.code for c in others if criteria[c.code] < k)
        found.append(
            (
                f"Cần thêm {need - reached} tiêu chí không bắt buộc đạt Mức {k} (hiện {reached}/{len(others)}, cần {need})",
                below,
            )
        )
    if k == 2:
        none = tuple(c.code for c in others if criteria[c.code] < 1)
        if none:
            found.append(("Không tiêu chí nào được dưới Mức 1", none))
    return found
