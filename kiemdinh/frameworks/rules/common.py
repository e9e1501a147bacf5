"""Rules shared by both regimes: a criterion's level is reached the same way in 2018 and TT57."""


def criterion_level(criterion, results: dict[int, dict[str, bool]]) -> int:
    """Highest level whose indicators, and those of every lower level, are all achieved (0 = not even Mức 1)."""
    reached = 0
    for level, letters in criterion.levels:
        given = results.get(level, {})
        if not all(given.get(letter, False) is True for letter in letters):
            break
        reached = level
    return reached
