"""Browser journey for the foundation: log in with a demo account, see the seeded world, browse and search a framework."""

import pytest

from kiemdinh.testing.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, username, password="kiemdinh-demo"):
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_principal_logs_in_and_sees_the_thanh_chan_result(live_server, browser_page, demo_world):
    page = browser_page
    page.goto(live_server.url + "/")
    assert "/tai-khoan/dang-nhap/" in page.url  # anonymous users are sent to the login page
    page.fill("#id_username", "hieutruong.thanhchan")
    page.fill("#id_password", "sai-mat-khau")
    page.click("button[type=submit]")
    assert "không đúng" in page.inner_text("main")
    screenshot(page, "foundation-01-login-error")
    login(page, live_server.url, "hieutruong.thanhchan")
    page.wait_for_selector("[data-testid=school-card]")
    summary = page.inner_text("[data-testid=result-summary]")
    assert "Mức 1: 27/27" in summary and "Mức 3: 19/19" in summary and "Mức 4: 2/5" in summary
    assert "đạt Mức 3" in summary
    screenshot(page, "foundation-02-principal-home")


def test_officer_sees_the_huong_tra_schools(live_server, browser_page, demo_world):
    # since 1/7/2025 the Sở manages the former town's 20 schools through its three wards
    page = browser_page
    login(page, live_server.url, "sogd.thuathienhue")
    page.wait_for_selector("[data-testid=unit-card]")
    page.click("[data-testid=unit-card] a")
    page.wait_for_selector("table.list")
    schools = page.locator("table.list").first
    assert schools.locator("tbody tr").count() == 20
    # the city's history: renamed on 1/1/2025, the wards established and the town dissolved on 1/7/2025
    history = page.get_by_test_id("unit-changes").inner_text()
    assert "Thừa Thiên Huế" in history and "175/2024/QH15" in history and "thị xã Hương Trà" in history
    page.fill("input[name=q]", "huong xuan")
    page.click("form.searchbar button")
    page.wait_for_load_state()
    rows = page.locator("table.list").first.locator("tbody").inner_text()
    assert "Hương Xuân" in rows and "Lê Thuyết" not in rows
    screenshot(page, "foundation-03-officer-unit")


def test_framework_search_ignores_diacritics_on_a_phone(live_server, browser_page, frameworks_loaded):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/bo-tieu-chuan/tt17-2018/")
    assert "trường tiểu học" in page.inner_text("h1")
    assert "Thông tư 17/2018" in page.inner_text("main")
    search = page.locator("input[type=search]").first
    search.fill("chien luoc")
    page.wait_for_selector("mark")
    marked = page.locator("mark").first.inner_text().lower()
    assert marked.startswith("chiến lược")
    screenshot(page, "foundation-04-framework-search-phone")
