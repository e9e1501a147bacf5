"""Browser check of the strict Content-Security-Policy (config/settings.py, django-csp: scripts and styles only from
'self', no inline code). A tour of the main pages as each demo persona (principal, district officer, evaluator,
anonymous visitor) must raise no CSP violation, no console error and no uncaught exception, and the behaviours that
static/js/app.js, htmx and Chart.js provide must still work under the policy. A first test proves the detection
itself works: a page that does break the policy is caught."""

import re
import time
from urllib.parse import urljoin

import pytest

from kiemdinh.testing.browser import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "kiemdinh-demo"

# Runs in every document before the page's own scripts; injected through CDP, so the page's CSP does not apply to it.
# The `securitypolicyviolation` event is queued as a task, so it is read back after letting the event loop turn.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push({
    directive: event.effectiveDirective || event.violatedDirective,
    blockedURI: event.blockedURI,
    sample: event.sample,
    source: event.sourceFile + ":" + event.lineNumber
  });
}, true);
"""
READ_VIOLATIONS = "() => new Promise((resolve) => setTimeout(() => resolve(window.__cspViolations || null), 100))"


class PolicyWatch:
    """Collects console errors, uncaught exceptions and CSP violations of a page; `check` asserts there were none."""

    def __init__(self, page):
        self.page = page
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.checked: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _console(self, message):
        if message.type != "error":
            return
        text = message.text
        url = (message.location or {}).get("url", "")
        # A browser asks for /favicon.ico on its own; base.html declares `<link rel="icon" href="data:,">` so it
        # should not, but a 404 for the favicon alone would say nothing about the policy and is ignored.
        if "favicon" in url and "404" in text:
            return
        self.console_errors.append(f"{text} ({url})" if url else text)

    def violations(self) -> list[dict]:
        recorded = self.page.evaluate(READ_VIOLATIONS)
        assert recorded is not None, f"the violation recorder did not run on {self.page.url}"
        return recorded

    def visit(self, url: str):
        """Open a page and check that it was served under the enforcing policy."""
        response = self.page.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, f"{url} has no strict CSP: {policy!r}"
        return response

    def check(self, label: str) -> None:
        self.page.wait_for_load_state("load")
        where = f"{label} ({self.page.url})"
        violations = self.violations()
        assert violations == [], f"CSP violations on {where}: {violations}"
        assert self.console_errors == [], f"console errors on {where}: {self.console_errors}"
        assert self.page_errors == [], f"uncaught exceptions on {where}: {self.page_errors}"
        self.checked.append(label)

    def follow(self, locator, label: str) -> None:
        """Open the href of a link found on the page, then check the page."""
        href = locator.first.get_attribute("href")
        assert href, f"no link for {label} on {self.page.url}"
        self.visit(urljoin(self.page.url, href))
        self.check(label)


def poll(read, *, timeout=5.0):
    """Python-side polling (page.wait_for_function with a string would be an eval, which the policy forbids)."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def sign_in_as(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    login(page, base, username, PASSWORD)


def test_the_watch_catches_inline_script_and_style(live_server, browser_page):
    """Negative check: code that breaks the policy is blocked and reported, so the tour below can fail."""
    page = browser_page
    watch = PolicyWatch(page)
    watch.visit(f"{live_server.url}/tai-khoan/dang-nhap/")
    watch.check("login page")
    page.evaluate(
        """() => {
            const probe = document.createElement("button");
            probe.id = "csp-probe";
            probe.setAttribute("onclick", "window.__inlineRan = true");
            document.body.append(probe);
            probe.click();
            const style = document.createElement("style");
            style.textContent = "body { background: red; }";
            document.head.append(style);
        }"""
    )
    violations = poll(lambda: page.evaluate(READ_VIOLATIONS))
    directives = {v["directive"] for v in violations}
    assert any(d.startswith("script-src") for d in directives), violations
    assert any(d.startswith("style-src") for d in directives), violations
    assert page.evaluate("() => window.__inlineRan === undefined")  # the inline handler was blocked, not run
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    assert any("Content Security Policy" in text for text in watch.console_errors), watch.console_errors


def test_main_pages_run_under_the_strict_policy(live_server, browser_page, demo_world):
    from playwright.sync_api import expect

    page = browser_page
    base = live_server.url
    watch = PolicyWatch(page)
    dialogs: list[str] = []
    accept_dialogs = False

    def answer(dialog):
        dialogs.append(dialog.message)
        if accept_dialogs:
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", answer)

    # Principal of Thanh Chấn: home, cycle overview, evidence register (htmx live search), a criterion form, downloads.
    sign_in_as(page, base, "hieutruong.thanhchan")
    expect(page.get_by_test_id("school-card")).to_be_visible()
    watch.check("principal home")
    watch.follow(page.get_by_test_id("school-card").locator("a.btn"), "cycle overview")
    expect(page.get_by_test_id("cycle-status")).to_be_visible()
    tabs = page.locator("nav.tabs")
    watch.follow(tabs.get_by_role("link", name="Minh chứng", exact=True), "evidence register")
    results = page.locator("#evidence-results")
    total = page.locator("#evidence-results .search-count").inner_text()
    assert "Tổng cộng" in total
    page.evaluate("() => { window.__sameDocument = true; }")
    page.fill("#q", "chien luoc phat trien")
    expect(page.locator("#evidence-results .search-count")).to_contain_text("minh chứng phù hợp")
    expect(page).to_have_url(re.compile(r"[?&]q=chien"))  # hx-replace-url
    assert page.evaluate("() => window.__sameDocument === true")  # swapped by htmx, not a page load
    expect(results).to_contain_text("Chiến lược phát triển")
    watch.check("evidence register after htmx search")
    screenshot(page, "csp-01-evidence-search")
    watch.follow(tabs.get_by_role("link", name="Phiếu tiêu chí", exact=True), "criteria list")
    watch.follow(page.get_by_test_id("criteria-table").locator("tbody a"), "criterion form")
    watch.follow(tabs.get_by_role("link", name="Tải văn bản", exact=True), "document downloads")

    # Officer of the Sở (Huế): home, the dashboard with its charts, the plans and one plan's tabs.
    sign_in_as(page, base, "sogd.thuathienhue")
    expect(page.get_by_test_id("unit-card").first).to_be_visible()
    watch.check("officer home")
    home = page.url
    watch.follow(page.get_by_test_id("unit-card").get_by_role("link", name="Tổng quan tiến độ"), "unit dashboard")
    for canvas in ("#chart-by-type", "#chart-stages"):
        expect(page.locator(canvas)).to_have_attribute("data-drawn", "1")
        box = page.locator(canvas).bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0, (canvas, box)
    watch.check("unit dashboard with charts")
    screenshot(page, "csp-02-dashboard")
    watch.visit(home)
    watch.follow(page.get_by_test_id("unit-card").get_by_role("link", name="Kế hoạch", exact=True), "plan list")
    watch.follow(page.get_by_test_id("plan-list").locator("tbody a"), "plan document")
    plan_tabs = page.locator("nav.tabs")
    for name in ("Chỉ tiêu", "Nhiệm vụ", "Báo cáo", "Danh sách trường"):
        watch.follow(plan_tabs.get_by_role("link", name=name, exact=True), f"plan tab {name}")

    # data-confirm: dismissing the question stops the form, the school stays in the list; accepting it lets the form
    # through, and the school taken out of the list comes back among the suggestions.
    targets = page.get_by_test_id("target-row")
    count = targets.count()
    assert count > 1
    url = page.url
    targets.first.get_by_role("button", name="bỏ", exact=True).click()
    assert dialogs == ["Bỏ trường này khỏi danh sách?"]
    expect(targets).to_have_count(count)
    assert page.url == url
    watch.check("plan targets after a dismissed data-confirm")
    accept_dialogs = True
    with page.expect_navigation():
        targets.last.get_by_role("button", name="bỏ", exact=True).click()
    assert dialogs == ["Bỏ trường này khỏi danh sách?"] * 2
    expect(targets).to_have_count(count - 1)
    watch.check("plan targets after an accepted data-confirm")

    # data-check-all: the header box ticks every suggestion on the page, and clears them again.
    boxes = page.get_by_test_id("suggestions").locator("input[name=school][form=accept-form]")
    expect(boxes.first).to_be_visible()
    check_all = page.locator("input[data-check-all]")
    for state in (True, False):
        check_all.set_checked(state)
        for i in range(boxes.count()):
            expect(boxes.nth(i)).to_be_checked(checked=state)
    watch.check("plan targets after data-check-all")
    screenshot(page, "csp-03-plan-targets")

    # Evaluator: home.
    sign_in_as(page, base, "danhgiavien.hue1")
    expect(page.get_by_test_id("evaluator-teams")).to_be_visible()
    watch.check("evaluator home")

    # System administrator: Django's admin (its own templates and scripts) under the same policy.
    sign_in_as(page, base, "quantri")
    # (decisions are read-only there: they change through the rule table's services)
    for path in ("/quan-tri/", "/quan-tri/recognition/decision/", "/quan-tri/oversight/visit/add/"):
        watch.visit(base + path)
        watch.check(f"admin {path}")

    # Anonymous visitor: the public index and one unit.
    page.context.clear_cookies()
    watch.visit(f"{base}/cong-khai/")
    watch.check("public index")
    watch.follow(page.get_by_test_id("provinces").locator("a"), "public unit")
    expect(page.get_by_test_id("public-schools")).to_be_visible()

    assert len(watch.checked) >= 21, watch.checked
