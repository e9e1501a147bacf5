"""Browser check of the unit dashboard: the officer of the district opens it, the two charts are drawn by
static/js/dashboard.js from the embedded JSON, and the type filter narrows the school list."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from kiemdinh.frameworks.models import FrameworkVersion
from kiemdinh.recognition.models import DecisionKind, years_after
from kiemdinh.recognition.services import DecisionInput, decision_record
from kiemdinh.selfassessment.models import Cycle, CycleStatus
from kiemdinh.testing.world import PASSWORD, load_frameworks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(world):
    """School A (TH) has submitted its 2025-2026 cycle; school B (MN) holds CĐ2-MĐ1 running out in 60 days."""
    load_frameworks(only=("tt17-2018",))
    framework = FrameworkVersion.objects.get(code="tt17-2018")
    Cycle.objects.create(
        school=world.school_a, framework=framework, school_year="2025-2026", status=CycleStatus.SUBMITTED
    )
    signed = years_after(timezone.localdate() + timedelta(days=60), -5)
    for kind, level in ((DecisionKind.ACCREDITATION, 2), (DecisionKind.NATIONAL_STANDARD, 1)):
        decision_record(  # by its issuing body: the Sở the grade, the provincial People's Committee the level
            actor=world.officer_province if kind == DecisionKind.ACCREDITATION else world.officer_committee,
            school=world.school_b,
            data=DecisionInput(kind=kind, level=level, decided_on=signed, regime="2018"),
        )
    return world


def test_officer_sees_the_charts_and_filters_by_type(live_server, browser_page, scene, tmp_path):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.fill("#id_username", scene.officer_district.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)

    page.goto(f"{live_server.url}/ke-hoach/don-vi/{scene.district.pk}/tong-quan/")
    expect(page.locator("h1")).to_contain_text("Tổng quan kiểm định — Huyện Đông Sơn")
    for canvas in ("#chart-by-type", "#chart-stages"):
        expect(page.locator(canvas)).to_have_attribute("data-drawn", "1")
    # Chart.js owns both canvases and has painted something on them (not a blank bitmap).
    painted = page.evaluate(
        """() => ["chart-by-type", "chart-stages"].map((id) => {
            const canvas = document.getElementById(id);
            const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            return Boolean(window.Chart.getChart(canvas)) && pixels.some((value) => value !== 0);
        })"""
    )
    assert painted == [True, True]
    rows = page.get_by_test_id("school-row")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("expiring")).to_contain_text("Trường Mầm non Bình Minh")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    page.get_by_test_id("dashboard-filters").get_by_label("Loại trường").select_option("MN")
    page.get_by_role("button", name="Lọc", exact=True).click()
    page.wait_for_url("**loai=MN**")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Trường Mầm non Bình Minh")
    expect(rows.first).to_contain_text("CĐ2-MĐ1")
    expect(page.locator("#chart-by-type")).to_have_attribute("data-drawn", "1")
    page.screenshot(path=str(tmp_path / "dashboard-filtered.png"), full_page=True)
    if os.environ.get("KIEMDINH_DASHBOARD_SHOTS"):  # to look at the page by hand
        page.screenshot(path=os.environ["KIEMDINH_DASHBOARD_SHOTS"], full_page=True)
