"""The `evaluate` contract (DESIGN.md): validate a JSON request strictly and turn the result into the output shape.

Every error names the offending key as a path, e.g. indicators["1.1"]["1"]["d"].
"""

import json

from kiemdinh.frameworks.rules import evaluate
from kiemdinh.frameworks.spec import all_specs, get_spec


class ContractError(ValueError):
    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key = key


def _path(*parts) -> str:
    head, *rest = parts
    return head + "".join(f"[{json.dumps(p, ensure_ascii=False)}]" for p in rest)


def parse_request(payload):
    if not isinstance(payload, dict):
        raise ContractError("$", "the input must be a JSON object")
    unknown = sorted(set(payload) - {"framework", "indicators", "level4"})
    if unknown:
        raise ContractError(json.dumps(unknown[0], ensure_ascii=False), "unknown key")
    if "framework" not in payload:
        raise ContractError("framework", "missing; one of " + ", ".join(sorted(all_specs())))
    framework = payload["framework"]
    if not isinstance(framework, str):
        raise ContractError("framework", "must be a string")
    spec = get_spec(framework)
    if spec is None:
        raise ContractError("framework", f"unknown framework {framework!r}; one of " + ", ".join(sorted(all_specs())))

    raw_indicators = payload.get("indicators", {})
    if not isinstance(raw_indicators, dict):
        raise ContractError("indicators", "must be an object keyed by criterion code")
    indicators: dict[str, dict[int, dict[str, bool]]] = {}
    for code, levels in raw_indicators.items():
        criterion = spec.criterion(code)
        if criterion is None:
            raise ContractError(_path("indicators", code), "unknown criterion")
        if not isinstance(levels, dict):
            raise ContractError(_path("indicators", code), "must be an object keyed by level")
        parsed_levels: dict[int, dict[str, bool]] = {}
        for level_key, value in levels.items():
            key = _path("indicators", code, level_key)
            if not (
                isinstance(level_key, str)
                and level_key.isascii()  # "²".isdigit() is true, but int() refuses it
                and level_key.isdigit()
                and len(level_key) < 10
                and level_key == str(int(level_key))
            ):
                raise ContractError(key, "unknown level")
            level = int(level_key)
            letters = criterion.letters(level)
            if letters is None:
                raise ContractError(key, "unknown level for this criterion")
            if criterion.is_unlettered(level):
                if not isinstance(value, bool):
                    raise ContractError(key, "must be true or false (this level has one unlettered requirement)")
                parsed_levels[level] = {"": value}
            else:
                if not isinstance(value, dict):
                    raise ContractError(key, "must be an object of indicator letters " + "/".join(letters))
                for letter, achieved in value.items():
                    if letter not in letters:
                        raise ContractError(_path("indicators", code, level_key, letter), "unknown indicator letter")
                    if not isinstance(achieved, bool):
                        raise ContractError(_path("indicators", code, level_key, letter), "must be true or false")
                parsed_levels[level] = dict(value)
        indicators[code] = parsed_levels

    raw_level4 = payload.get("level4", {})
    if not isinstance(raw_level4, dict):
        raise ContractError("level4", "must be an object keyed by Mức 4 item")
    for item, achieved in raw_level4.items():
        if item not in spec.level4_items:
            raise ContractError(_path("level4", item), "unknown Mức 4 item")
        if not isinstance(achieved, bool):
            raise ContractError(_path("level4", item), "must be true or false")
    return spec, indicators, dict(raw_level4)


def evaluate_request(payload) -> dict:
    spec, indicators, level4 = parse_request(payload)
    return evaluate(spec, indicators, level4).as_contract()


def evaluate_text(text: str) -> dict:
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContractError("$", f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from exc
    except RecursionError as exc:
        raise ContractError("$", "JSON nested too deeply") from exc
    return evaluate_request(payload)
