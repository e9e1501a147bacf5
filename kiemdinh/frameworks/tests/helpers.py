from kiemdinh.frameworks.spec import FrameworkSpec


def all_achieved(spec: FrameworkSpec, up_to: int = 3) -> dict:
    """Contract-shaped indicators with every indicator up to a level achieved."""
    out = {}
    for c in spec.criteria:
        out[c.code] = {}
        for level, letters in c.levels:
            if level <= up_to:
                out[c.code][str(level)] = True if letters == ("",) else dict.fromkeys(letters, True)
    return out


def engine_input(contract_indicators: dict) -> dict:
    """Convert contract-shaped indicators into the rule engine's {code: {level: {letter: bool}}}."""
    out = {}
    for code, levels in contract_indicators.items():
        out[code] = {int(k): ({"": v} if isinstance(v, bool) else dict(v)) for k, v in levels.items()}
    return out
