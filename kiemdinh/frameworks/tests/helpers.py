from kiemdinh.frameworks.spec import FrameworkSpec


def every_indicator(spec: FrameworkSpec, achieved: bool = True, up_to: int = 3) -> dict:
    """Rule-engine-shaped results {code: {level: {letter: achieved}}} for every indicator up to a level."""
    return {
        c.code: {level: dict.fromkeys(letters, achieved) for level, letters in c.levels if level <= up_to}
        for c in spec.criteria
    }


def all_achieved(spec: FrameworkSpec, up_to: int = 3) -> dict:
    """The same, shaped as the `evaluate` contract: string levels, a bare boolean for an unlettered level."""
    return {
        code: {str(level): (letters[""] if set(letters) == {""} else letters) for level, letters in levels.items()}
        for code, levels in every_indicator(spec, True, up_to).items()
    }


def engine_input(contract_indicators: dict) -> dict:
    """Convert contract-shaped indicators into the rule engine's {code: {level: {letter: bool}}}."""
    out = {}
    for code, levels in contract_indicators.items():
        out[code] = {int(k): ({"": v} if isinstance(v, bool) else dict(v)) for k, v in levels.items()}
    return out
