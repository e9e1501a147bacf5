"""Fixtures of the oversight tests: the project's personas (no frameworks needed) and a few records made through the
real services."""

from datetime import date

import pytest

from kiemdinh.oversight.models import VisitKind
from kiemdinh.oversight.services.trainings import training_create
from kiemdinh.oversight.services.visits import action_add, visit_create


@pytest.fixture
def visit(world):
    """The district's authenticity check of school A on 10/03/2025, with two follow-up actions."""
    v = visit_create(
        actor=world.officer_district,
        unit=world.district,
        school=world.school_a,
        kind=VisitKind.AUTHENTICITY,
        visited_on=date(2025, 3, 10),
        members="Hoàng Văn Dũng – Trưởng đoàn\nPhạm Thị Hoa – Thành viên",
        findings="Báo cáo tự đánh giá phản ánh đúng thực trạng; minh chứng tiêu chí 1.6 chưa đầy đủ.",
    )
    action_add(
        actor=world.officer_district,
        visit=v,
        content="Bổ sung minh chứng tiêu chí 1.6",
        responsible="Thư ký hội đồng",
        due_on=date(2025, 4, 10),
    )
    action_add(actor=world.officer_district, visit=v, content="Rà soát phiếu đánh giá tiêu chí 2.1")
    return v


@pytest.fixture
def training(world):
    return training_create(
        actor=world.officer_district,
        unit=world.district,
        title="Tập huấn công tác tự đánh giá",
        starts_on=date(2025, 2, 20),
        organiser="Phòng GD&ĐT Đông Sơn",
        audience="Cán bộ quản lý, thành viên hội đồng tự đánh giá các trường MN, TH, THCS",
        location="Hội trường Phòng GD&ĐT",
    )
