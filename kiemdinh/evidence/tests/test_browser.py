"""Browser journey of the evidence register: add an item with a file, find it by live search without diacritics."""

import pytest
from playwright.sync_api import expect

from kiemdinh.evidence.models import CycleEvidence
from kiemdinh.evidence.tests.conftest import pdf_bytes
from kiemdinh.testing.browser import screenshot
from kiemdinh.testing.world import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_adds_evidence_and_finds_it_by_live_search(
    live_server, browser_page, frameworks_loaded, world, cycle, tmp_path
):
    page = browser_page
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.fill("#id_username", world.member_a.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/tu-danh-gia/{cycle.pk}/minh-chung/them/")
    page.select_option("#id_criterion", label=page.locator("#id_criterion option").nth(2).inner_text())
    page.fill("#id_name", "Quyết định thành lập Hội đồng trường")
    page.fill("#id_issue_ref", "Số 120/QĐ-UBND, ngày 05/9/2025")
    upload = tmp_path / "Quyết định 120.pdf"
    upload.write_bytes(pdf_bytes())
    page.set_input_files("input[name=files]", str(upload))
    page.click("form.evidence-form button[type=submit]")
    page.wait_for_selector(".msg-success")
    assert "Đã thêm minh chứng [H1-1.2-01]" in page.inner_text(".messages")
    link = CycleEvidence.objects.get()
    assert link.version.files.get().original_name == "Quyết định 120.pdf"
    page.fill("#q", "hoi dong")
    # (expect() polls from Playwright's side: a string predicate would be an eval, which the page's CSP forbids)
    expect(page.locator("#evidence-results")).to_contain_text("phù hợp")
    assert "Quyết định thành lập Hội đồng trường" in page.inner_text("#evidence-results")
    assert "?q=hoi" in page.url  # the search is in the address, so it can be shared and reloaded
    screenshot(page, "evidence-register")
    page.fill("#q", "khong co gi")
    expect(page.locator("#evidence-results")).to_contain_text("Không tìm thấy")
    # The item page: use the item for another criterion without leaving the page (htmx), then the health check.
    page.goto(f"{live_server.url}/tu-danh-gia/{cycle.pk}/minh-chung/{link.pk}/")
    page.select_option(
        "#evidence-citations select", label=page.locator("#evidence-citations option", has_text="2.1.").inner_text()
    )
    page.click("#evidence-citations button[type=submit]")
    page.wait_for_selector("#evidence-citations .level-ok")
    assert "Tiêu chí 2.1" in page.inner_text("#evidence-citations")
    assert link.citations.get().criterion.code == "2.1"
    screenshot(page, "evidence-item")
    page.goto(f"{live_server.url}/tu-danh-gia/{cycle.pk}/minh-chung/kiem-tra/")
    assert "Minh chứng chưa được trích dẫn trong phiếu nào (1)" in page.inner_text("main")
    screenshot(page, "evidence-health")
