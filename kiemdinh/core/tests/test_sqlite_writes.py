"""Two requests saving at once on a SQLite installation: with the project's connection settings both writes succeed
(write transactions begin IMMEDIATE and wait for each other), where SQLite's default deferred transactions make the
second writer fail at once with "database is locked" (seen in the bench's load run)."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

# Run in a process of its own, on a file database, with config.settings' DATABASES: two threads (two Django
# connections) each read a row and then update it inside transaction.atomic(), overlapping.
SCRIPT = r"""
import os, sys, threading, time
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
import django
django.setup()
from django.db import connection, connections, transaction

if len(sys.argv) > 1 and sys.argv[1] == "deferred":
    connection.settings_dict["OPTIONS"].pop("transaction_mode", None)
with connection.cursor() as c:
    c.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)")
    c.execute("INSERT INTO counter VALUES (1, 0)")
connection.close()
barrier, failures = threading.Barrier(2), []

def save():
    if len(sys.argv) > 1 and sys.argv[1] == "deferred":
        connection.settings_dict["OPTIONS"].pop("transaction_mode", None)
    try:
        barrier.wait(timeout=5)
        with transaction.atomic():
            with connection.cursor() as c:
                c.execute("SELECT n FROM counter WHERE id = 1")
                n = c.fetchone()[0]
                time.sleep(0.3)
                c.execute("UPDATE counter SET n = %s WHERE id = 1", [n + 1])
    except Exception as error:
        failures.append(type(error).__name__ + ": " + str(error))
    finally:
        connections.close_all()

threads = [threading.Thread(target=save) for _ in range(2)]
for t in threads: t.start()
for t in threads: t.join()
with connection.cursor() as c:
    c.execute("SELECT n FROM counter WHERE id = 1")
    print("COUNTER", c.fetchone()[0])
print("FAILURES", failures)
"""


def _run(tmp_path: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'writes.sqlite3'}", KIEMDINH_DEBUG="1")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_two_overlapping_saves_both_succeed(tmp_path):
    output = _run(tmp_path)
    assert "FAILURES []" in output and "COUNTER 2" in output  # both saved, neither lost


def test_without_immediate_transactions_the_second_save_fails(tmp_path):
    """The control: the same script on SQLite's default deferred transactions does fail, so the test above can."""
    assert "database is locked" in _run(tmp_path, "deferred")
