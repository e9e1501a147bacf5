"""A column of an imported list: its key, label, the header aliases it accepts, a length limit, and the example and
help text of the downloadable template. Each import (units and schools, evidence catalogues) lists its own."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = False  # the column must be present (values may still be checked row by row)
    max_length: int | None = None
    example: str = ""
    help: str = ""
    aliases: tuple[str, ...] = ()
    as_text: bool = False  # formatted as text in the template, so Excel keeps leading zeros
