"""seed_demo on a database without the demo: with the regulations it prints every demo login; without them it refuses
and creates nothing. (The demo's content is tested in test_seed_demo.py, on one demo built for that module.)"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kiemdinh.devtools.demo.people import DEMO_PASSWORD, PEOPLE
from kiemdinh.devtools.demo.reform import AFTER_REFORM
from kiemdinh.units.models import AdministrativeUnit


def test_print_logins_lists_every_demo_account(frameworks_loaded):
    out = StringIO()
    call_command("seed_demo", "--print-logins", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    # every account that can sign in: the seeds' people, and after the reform the ward officer; the district
    # officers whose office ended with the reform (and no new role) are not offered
    ended = {c.username for c in AFTER_REFORM if c.unit is None}
    for username in [p.username for p in PEOPLE] + [c.username for c in AFTER_REFORM]:
        assert (username in text) == (username not in ended), username
    assert "Vũ Thị Trung Thu" in text and "Trường Tiểu học Thanh Chấn" in text
    assert "Hiệu trưởng" in text and "Quản trị hệ thống" in text


@pytest.mark.django_db
def test_refuses_to_run_without_frameworks(no_frameworks):
    with pytest.raises(CommandError, match=r"Chưa nạp bộ tiêu chuẩn; chạy ./scripts/manage load_frameworks trước\."):
        call_command("seed_demo", stdout=StringIO())
    assert not AdministrativeUnit.objects.exists()
