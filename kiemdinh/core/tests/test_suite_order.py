"""The suite's own scheduling aid: the long files run first (kiemdinh.testing.pytest_plugin.LONG_FILES) only if they
are named as they are."""

from pathlib import Path

from kiemdinh.testing.pytest_plugin import LONG_FILES

ROOT = Path(__file__).resolve().parents[3]


def test_every_long_file_named_exists_once():
    assert len(set(LONG_FILES)) == len(LONG_FILES)
    missing = [path for path in LONG_FILES if not (ROOT / path).is_file()]
    assert not missing, missing
