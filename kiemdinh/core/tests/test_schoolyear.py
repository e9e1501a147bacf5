"""The one school-year helper: reading "2024-2025" and the two calendars' dates (no database)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from kiemdinh.core.schoolyear import (
    current_school_year,
    first_year,
    normalize_school_year,
    reporting_year_end,
    reporting_year_start,
    school_year_end,
    school_year_start,
    school_years_up_to,
)


@pytest.mark.parametrize(
    "typed",
    ["2019-2020", "2019 - 2020", "2019 -2020", "2019–2020", " 2019-2020 ", "２０１９－２０２０", "2019\u200b-2020"],
)
def test_normalize_reads_the_spellings_people_type(typed):
    assert normalize_school_year(typed) == "2019-2020"


@pytest.mark.parametrize("typed", ["2019-2021", "2020-2019", "2019", "19-20", "2019/2020", "", "năm học 2019-2020"])
def test_normalize_refuses_anything_but_two_consecutive_years(typed):
    with pytest.raises(ValidationError) as caught:
        normalize_school_year(typed)
    assert "school_year" in caught.value.message_dict


def test_first_year_and_the_years_up_to_one():
    assert first_year("2021-2022") == 2021
    assert school_years_up_to("2021-2022", 3) == ("2019-2020", "2020-2021", "2021-2022")
    assert school_years_up_to("2021-2022", 1) == ("2021-2022",)


def test_the_school_year_runs_from_1_september_to_31_may():
    assert school_year_start("2024-2025") == date(2024, 9, 1)
    assert school_year_end("2024-2025") == date(2025, 5, 31)


def test_the_reporting_year_runs_from_1_august_to_31_july():
    assert reporting_year_start("2019-2020") == date(2019, 8, 1)
    assert reporting_year_end("2019-2020") == date(2020, 7, 31)
    # The reporting year holds the school year, and the next one starts the day after it ends.
    assert reporting_year_start("2019-2020") < school_year_start("2019-2020")
    assert school_year_end("2019-2020") < reporting_year_end("2019-2020")
    assert (reporting_year_start("2020-2021") - reporting_year_end("2019-2020")).days == 1


def test_the_current_school_year_switches_on_1_september():
    assert current_school_year(date(2025, 8, 31)) == "2024-2025"
    assert current_school_year(date(2025, 9, 1)) == "2025-2026"
    assert current_school_year(date(2026, 1, 15)) == "2025-2026"
    assert current_school_year(school_year_start("2030-2031")) == "2030-2031"
