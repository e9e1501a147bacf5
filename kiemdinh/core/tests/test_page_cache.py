"""The page cache (kiemdinh.core.page_cache): a kept page is served again only while no table it read has been
written, by any path — a view's save, a bulk `update()` that sends no signal, raw SQL, another connection's commit —
and it is never served to another person, another session or with someone else's messages."""

import html
import re
import threading

import pytest
from django.contrib.auth import get_user
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import caches
from django.db import connection, connections, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kiemdinh.accounts.models import Membership
from kiemdinh.core import page_cache
from kiemdinh.core.page_cache import classify, memoized
from kiemdinh.core.testing import form_saved
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.models import CriterionForm, Cycle, FormDraft
from kiemdinh.selfassessment.services import cycle_open, form_draft_save, one_form
from kiemdinh.units.models import School
from kiemdinh.units.services import unit_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(world, frameworks_loaded):
    return cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def opened(client, url) -> tuple[str, int]:
    """The page's text and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def warm(client, url) -> str:
    """Open a page twice: the first answer sets the CSRF cookie (never kept), the second is rendered and kept."""
    client.get(url)
    text, _ = opened(client, url)
    return text


# --- Which tables a statement reads or writes -----------------------------------------------------------------------


def test_statements_are_classified_by_the_tables_they_touch():
    kind, tables = classify(
        'SELECT "a"."x" FROM "units_school" INNER JOIN "units_administrativeunit" T3 ON (1=1) '
        'WHERE EXISTS(SELECT 1 AS "a" FROM "recognition_decision" U0 WHERE U0."id" IN (SELECT V0."id" FROM '
        '"selfassessment_cycle" V0)) ORDER BY "a"."dossier_from"'
    )
    assert kind == "read"
    assert {"units_school", "units_administrativeunit", "recognition_decision", "selfassessment_cycle"} <= tables
    assert classify('INSERT INTO "evidence_evidence" ("code") VALUES (%s) RETURNING "id"') == (
        "write",
        frozenset(["evidence_evidence"]),
    )
    assert classify('UPDATE "selfassessment_cycle" SET "status" = %s') == ("write", frozenset(["selfassessment_cycle"]))
    assert classify('DELETE FROM "units_school" WHERE "id" = %s') == ("write", frozenset(["units_school"]))
    assert classify("INSERT OR IGNORE INTO django_session VALUES (1)") == ("write", frozenset(["django_session"]))
    # Statements whose tables cannot be told make every kept page stale.
    assert classify('TRUNCATE "units_school" CASCADE') == ("write", frozenset([page_cache.EVERYTHING]))
    assert classify('ALTER TABLE "units_school" ADD COLUMN "x" int') == ("write", frozenset([page_cache.EVERYTHING]))
    assert classify('WITH x AS (SELECT 1) UPDATE "t" SET a = 1') == ("write", frozenset([page_cache.EVERYTHING]))
    for harmless in ('SAVEPOINT "s1"', 'RELEASE SAVEPOINT "s1"', "BEGIN IMMEDIATE", "SET TIME ZONE 'UTC'"):
        assert classify(harmless)[0] == "other"


# --- Kept and served again; stale after any write -------------------------------------------------------------------


def test_a_kept_page_is_served_without_running_the_view(world, cycle):
    client = signed_in(world.principal_a)
    url = reverse("selfassessment:form", args=[cycle.pk, "1.1"])
    first = warm(client, url)
    again, queries = opened(client, url)
    assert again == first
    assert queries == 0  # the session and the signed-in user come from the cache too


def test_saving_the_form_through_the_page_shows_the_new_text_at_once(world, cycle):
    client = signed_in(world.principal_a)
    url = reverse("selfassessment:form", args=[cycle.pk, "1.1"])
    text = warm(client, url)
    base = html.unescape(re.search(r'name="base_version" value="([^"]*)"', text).group(1))
    saved = client.post(url, {"base_version": base, "strengths": "Điểm mạnh vừa lưu.", "mo_ta_1.a": "Mô tả mới."})
    assert saved.status_code == 302
    client.get(saved.url)  # the page the save leads to shows its message and is not kept
    after, queries = opened(client, url)
    assert "Điểm mạnh vừa lưu." in after
    assert queries > 2  # rendered again, not served from the cache
    # The version in the form moved on: a second save from this page is not refused as a conflict.
    newer = html.unescape(re.search(r'name="base_version" value="([^"]*)"', after).group(1))
    assert newer != base


def test_a_bulk_update_without_signals_makes_the_page_stale(world, cycle):
    client = signed_in(world.principal_a)
    url = reverse("core:home")
    assert "Trường Tiểu học An Bình" in warm(client, url)
    School.objects.filter(pk=world.school_a.pk).update(name="Trường Tiểu học An Bình Mới")  # no post_save
    text, _ = opened(client, url)
    assert "Trường Tiểu học An Bình Mới" in text


def test_a_new_row_makes_the_page_stale(world, cycle):
    client = signed_in(world.admin)
    url = reverse("core:home")
    warm(client, url)
    unit_create(actor=None, code="QX", name="Tỉnh Mới Thêm", kind="province")  # INSERT … RETURNING
    text, queries = opened(client, url)
    assert "Tỉnh Mới Thêm" in text and queries > 2


def test_raw_sql_and_unknown_statements_make_pages_stale(world, cycle):
    client = signed_in(world.principal_a)
    url = reverse("core:home")
    warm(client, url)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE units_school SET name = %s WHERE id = %s", ["Trường Đổi Tên Bằng SQL", world.school_a.pk]
        )
    assert "Trường Đổi Tên Bằng SQL" in opened(client, url)[0]
    kept_versions = dict(caches[page_cache.PAGES].get(page_cache_key(client, url))["versions"])
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE page_cache_probe (id integer)")  # DDL: tables unknown, everything is stale
    assert not page_cache._unchanged(kept_versions)


def page_cache_key(client, url) -> str:
    """The key under which the page this client opens at url is kept."""
    request = RequestFactory().get(url)
    request.COOKIES = {name: morsel.value for name, morsel in client.cookies.items()}
    request.session = SessionStore(session_key=client.cookies["sessionid"].value)
    request.user = get_user(request)
    return page_cache._request_key(request)


def test_a_statement_that_changes_no_row_keeps_the_pages(world, cycle):
    """A delete or update matching nothing (a save removing a draft that was never autosaved) changes nothing."""
    client = signed_in(world.principal_a)
    url = reverse("core:home")
    warm(client, url)
    School.objects.filter(pk=-1).update(name="Không có trường này")
    School.objects.filter(pk=-1).delete()
    assert opened(client, url)[1] <= 2
    School.objects.filter(pk=world.school_b.pk).update(name="Trường Mầm non Bình Minh Mới")  # one row: stale
    assert opened(client, url)[1] > 2


def test_a_lost_version_never_lets_an_old_page_through(world, cycle):
    client = signed_in(world.principal_a)
    url = reverse("core:home")
    warm(client, url)
    key = page_cache_key(client, url)
    versions = caches[page_cache.PAGES].get(key)["versions"]
    assert page_cache._unchanged(versions)
    caches[page_cache.VERSIONS].delete(page_cache._key("units_school"))  # an evicted version file
    assert not page_cache._unchanged(versions)
    opened(client, url)  # renders again and starts the table with a fresh token, not the lost one
    assert caches[page_cache.VERSIONS].get(page_cache._key("units_school")) != versions["units_school"]


@pytest.mark.django_db(transaction=True)
def test_another_connections_commit_makes_the_page_stale_when_it_commits(world, cycle):
    """A writer in another thread (its own connection) inside a transaction: the tables get a new version when it
    writes and another when it commits, so a page rendered in between (from the old rows) is not kept valid."""
    client = signed_in(world.principal_a)
    url = reverse("core:home")
    warm(client, url)
    versions = caches[page_cache.PAGES].get(page_cache_key(client, url))["versions"]
    wrote, go_on, seen = threading.Event(), threading.Event(), {}

    def writer():
        try:
            with transaction.atomic():
                School.objects.filter(pk=world.school_a.pk).update(name="Trường Đổi Tên Trong Giao Dịch")
                wrote.set()
                go_on.wait(timeout=10)
                seen["before commit"] = caches[page_cache.VERSIONS].get(page_cache._key("units_school"))
            seen["after commit"] = caches[page_cache.VERSIONS].get(page_cache._key("units_school"))
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert wrote.wait(timeout=10)
    assert not page_cache._unchanged(versions)  # bumped at the write already
    go_on.set()
    thread.join(timeout=10)
    assert seen["after commit"] != seen["before commit"]  # and again at the commit
    assert "Trường Đổi Tên Trong Giao Dịch" in opened(client, url)[0]


# --- Never someone else's page --------------------------------------------------------------------------------------


def test_each_person_and_session_gets_their_own_page(world, cycle):
    url = reverse("core:home")
    principal = signed_in(world.principal_a)
    other = signed_in(world.principal_b)
    assert "Trường Tiểu học An Bình" in warm(principal, url)
    text = warm(other, url)
    assert "Trường Mầm non Bình Minh" in text and "Trường Tiểu học An Bình" not in text
    # A second session of the same person renders its own page (its CSRF token belongs to its own cookie).
    second = signed_in(world.principal_a)
    second.get(url)
    _, queries = opened(second, url)
    assert queries > 2


def test_losing_access_is_seen_at_once(world, cycle):
    client = signed_in(world.secretary_a)
    url = reverse("selfassessment:form", args=[cycle.pk, "1.1"])
    warm(client, url)
    Membership.objects.filter(user=world.secretary_a).delete()
    assert client.get(url).status_code == 404


def test_pages_with_messages_are_neither_served_from_nor_kept_in_the_cache(world, cycle):
    client = signed_in(world.principal_a)
    home = reverse("core:home")
    warm(client, home)
    url = reverse("selfassessment:form", args=[cycle.pk, "1.1"])
    text = warm(client, url)
    base = html.unescape(re.search(r'name="base_version" value="([^"]*)"', text).group(1))
    assert client.post(url, {"base_version": base, "strengths": "Điểm mạnh."}).status_code == 302
    # The save's message waits for the next page: the kept home page (unchanged by the save) does not hide it.
    assert "Đã lưu phiếu đánh giá." in client.get(home).content.decode()
    # Shown once: the page that showed it was not kept with it.
    assert "Đã lưu phiếu đánh giá." not in client.get(home).content.decode()


def test_htmx_fragments_and_full_pages_are_kept_apart(world, cycle):
    client = signed_in(world.principal_a)
    url = reverse("evidence:list", args=[cycle.pk])
    full = warm(client, url)
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" in full and "<html" not in fragment
    assert "<html" in client.get(url).content.decode()


def test_the_cache_can_be_turned_off(world, cycle, settings):
    settings.PAGE_CACHE_ENABLED = False
    client = signed_in(world.principal_a)
    url = reverse("selfassessment:form", args=[cycle.pk, "1.1"])
    warm(client, url)
    assert opened(client, url)[1] > 2


def test_the_clear_command_drops_every_kept_page(world, cycle):
    from django.core.management import call_command

    client = signed_in(world.principal_a)
    url = reverse("core:home")
    warm(client, url)
    assert opened(client, url)[1] <= 2
    call_command("clear_page_cache", verbosity=0)
    assert opened(client, url)[1] > 2
    assert Cycle.objects.filter(pk=cycle.pk).exists()  # only the cache is touched


def test_sessions_deleted_outside_the_application_end_after_the_clear_command(world, cycle):
    """Sessions are read from the cache first: deleting them in the database by hand (to sign everyone out) takes
    effect once the clear command has dropped the cached copies."""
    from django.contrib.sessions.models import Session
    from django.core.management import call_command

    client = signed_in(world.principal_a)
    url = reverse("core:home")
    assert client.get(url).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Session._meta.db_table}")
    call_command("clear_page_cache", verbosity=0)
    assert client.get(url).status_code == 302  # signed out: to the login page


def test_a_page_kept_by_another_version_of_the_application_is_not_served(world, cycle, monkeypatch):
    client = signed_in(world.principal_a)
    url = reverse("core:home")
    warm(client, url)
    assert opened(client, url)[1] <= 2
    monkeypatch.setattr(page_cache, "_release_at_start", lambda: "r:another-release")  # a deploy of new code
    assert opened(client, url)[1] > 2


def test_under_debug_an_edited_template_is_a_new_release(settings, tmp_path):
    settings.DEBUG = True
    settings.BASE_DIR = tmp_path
    (tmp_path / "templates").mkdir()
    template = tmp_path / "templates" / "page.html"
    template.write_text("<p>Trước</p>")
    before = page_cache.release()
    assert page_cache.release() == before
    template.write_text("<p>Sau khi sửa</p>")
    assert page_cache.release() != before


# --- Narrowed to one form: saving one criterion leaves the other criteria's pages kept -----------------------------


def saved(cycle, code: str, strengths: str, user=None):
    """Save a criterion's form through the service, as the form page does (a narrowed write)."""
    return form_saved(cycle, user, code=code, strengths=strengths)


def test_saving_one_criterion_leaves_the_other_criteria_form_pages_kept(world, cycle):
    saved(cycle, "1.1", "Cũ 1.1")
    saved(cycle, "1.2", "Cũ 1.2")
    client = signed_in(world.principal_a)
    page_11, page_12 = (reverse("selfassessment:form", args=[cycle.pk, code]) for code in ("1.1", "1.2"))
    warm(client, page_11)
    kept_12 = warm(client, page_12)
    saved(cycle, "1.1", "Mới 1.1", world.principal_a)
    again_12, queries = opened(client, page_12)
    assert again_12 == kept_12 and queries <= 2  # another criterion's form: served again
    text_11, queries = opened(client, page_11)
    assert "Mới 1.1" in text_11 and queries > 2  # the form that was saved: rendered again


def test_a_reader_of_every_form_is_stale_after_a_narrowed_save(world, cycle):
    """The part's version is not the only one a narrowed save bumps: whatever read the forms table un-narrowed (the
    whole cycle's forms) is computed again."""
    saved(cycle, "1.1", "Một")
    calls = []

    def every_strength():
        calls.append(1)
        return sorted(CriterionForm.objects.filter(cycle=cycle).values_list("strengths", flat=True))

    assert memoized("strengths", cycle.pk, compute=every_strength) == ["Một"]
    saved(cycle, "1.2", "Hai")
    assert memoized("strengths", cycle.pk, compute=every_strength) == ["Hai", "Một"]
    assert len(calls) == 2


def test_a_write_to_the_forms_that_is_not_narrowed_makes_every_form_page_stale(world, cycle):
    saved(cycle, "1.2", "Trước khi sửa hàng loạt")
    client = signed_in(world.principal_a)
    url = reverse("selfassessment:form", args=[cycle.pk, "1.2"])
    warm(client, url)
    CriterionForm.objects.filter(cycle=cycle).update(strengths="Sửa hàng loạt")  # no part declared
    assert "Sửa hàng loạt" in opened(client, url)[0]
    with connection.cursor() as cursor:  # raw SQL: no part declared either
        cursor.execute("UPDATE selfassessment_criterionform SET strengths = %s", ["Sửa bằng SQL"])
    assert "Sửa bằng SQL" in opened(client, url)[0]


def test_a_draft_autosaved_for_one_criterion_shows_on_its_page_and_leaves_the_others_kept(world, cycle):
    form_11, form_12 = saved(cycle, "1.1", "Một"), saved(cycle, "1.2", "Hai")
    client = signed_in(world.principal_a)
    page_11, page_12 = (reverse("selfassessment:form", args=[cycle.pk, code]) for code in ("1.1", "1.2"))
    assert 'data-testid="draft-banner"' not in warm(client, page_11)
    kept_12 = warm(client, page_12)
    form_draft_save(
        actor=world.principal_a,
        cycle=cycle,
        criterion=form_11.criterion,
        base_version=form_11.version,
        data={"strengths": "Đang gõ dở"},
    )
    again_12, queries = opened(client, page_12)
    assert again_12 == kept_12 and queries <= 2
    assert 'data-testid="draft-banner"' in opened(client, page_11)[0]
    FormDraft.objects.filter(form=form_12).delete()  # matches no row: nothing is bumped
    FormDraft.objects.all().delete()  # not narrowed: every reader of drafts is stale
    assert 'data-testid="draft-banner"' not in opened(client, page_11)[0]


def test_narrowing_covers_only_the_statements_inside_and_only_known_tables(world, cycle):
    with pytest.raises(ValueError), page_cache.narrowed(School, 1):
        pass
    saved(cycle, "1.1", "Một")
    calls = []

    def every_strength():
        calls.append(1)
        return sorted(CriterionForm.objects.filter(cycle=cycle).values_list("strengths", flat=True))

    # A memoized computation called inside a narrowed block reads un-narrowed: it depends on every form.
    criterion = Criterion.objects.get(version=cycle.framework, code="1.1")
    with one_form({"cycle": cycle, "criterion": criterion}):
        memoized("strengths", cycle.pk, compute=every_strength)
    saved(cycle, "1.2", "Hai")  # another part
    assert memoized("strengths", cycle.pk, compute=every_strength) == ["Hai", "Một"]
    assert len(calls) == 2


# --- Memoized results (a user's scope, a cycle's evaluation) --------------------------------------------------------


def test_a_memoized_result_is_computed_again_after_a_write_it_depends_on(world, cycle):
    calls = []

    def count_schools():
        calls.append(1)
        return School.objects.filter(unit__parent=world.district).count()

    assert memoized("schools", world.district.pk, compute=count_schools) == 2
    assert memoized("schools", world.district.pk, compute=count_schools) == 2
    assert len(calls) == 1  # kept
    School.objects.create(code="SN", name="Trường Mới", school_type="TH", unit=world.commune_a)
    assert memoized("schools", world.district.pk, compute=count_schools) == 3
    assert len(calls) == 2


def test_a_page_depends_on_what_its_memoized_parts_read(world, cycle):
    """The home page takes the principal's scope from the memo; a change of the memberships it was computed from
    still makes the page stale."""
    from kiemdinh.accounts.services import membership_grant

    client = signed_in(world.principal_a)
    url = reverse("core:home")
    warm(client, url)
    assert "Trường Mầm non Bình Minh" not in opened(client, url)[0]
    membership_grant(actor=None, user=world.principal_a, role="staff", school=world.school_b)
    assert "Trường Mầm non Bình Minh" in opened(client, url)[0]


@pytest.mark.django_db(transaction=True)
def test_what_is_read_after_an_uncommitted_write_is_not_kept(world, cycle, settings):
    """Outside the test suite's rule: rows this connection wrote but has not committed may be rolled back, so a
    result read after them must not be kept for others."""
    settings.PAGE_CACHE_KEEPS_UNCOMMITTED = False
    calls = []

    def names():
        calls.append(1)
        return sorted(School.objects.values_list("name", flat=True))

    with transaction.atomic():
        School.objects.filter(pk=world.school_a.pk).update(name="Tên Chưa Ghi")
        assert "Tên Chưa Ghi" in memoized("names", compute=names)
        transaction.set_rollback(True)
    assert "Tên Chưa Ghi" not in memoized("names", compute=names)
    assert len(calls) == 2
    # Without the write first, the same result is kept.
    with transaction.atomic():
        memoized("names", compute=names)
    memoized("names", compute=names)
    assert len(calls) == 2
