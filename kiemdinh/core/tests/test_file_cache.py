"""The machine-wide file cache (kiemdinh.core.file_cache): culls like Django's FileBasedCache, but counts its files on
one write in CULL_EVERY instead of on every write, and never when CULL_EVERY is 0."""

from unittest import mock

from kiemdinh.core.file_cache import FileCache


def cache_in(tmp_path, **options) -> FileCache:
    return FileCache(str(tmp_path), {"OPTIONS": options})


def test_values_round_trip_between_two_instances_on_one_directory(tmp_path):
    cache_in(tmp_path).set("k", {"a": 1}, timeout=None)
    assert cache_in(tmp_path).get("k") == {"a": 1}  # another worker reads what one wrote


def test_culling_happens_but_not_on_every_write(tmp_path):
    cache = cache_in(tmp_path, MAX_ENTRIES=10, CULL_FREQUENCY=2, CULL_EVERY=5)
    with mock.patch.object(FileCache, "_list_cache_files", wraps=cache._list_cache_files) as listed:
        for i in range(200):
            cache.set(f"k{i}", i)
    assert 0 < listed.call_count < 200
    assert len(cache._list_cache_files()) < 60  # bounded: a few writes over MAX_ENTRIES at most


def test_every_write_culls_with_cull_every_1_and_none_with_0(tmp_path):
    each = cache_in(tmp_path / "each", MAX_ENTRIES=10, CULL_EVERY=1)
    for i in range(40):
        each.set(f"k{i}", i)
    assert len(each._list_cache_files()) <= 10
    never = cache_in(tmp_path / "never", MAX_ENTRIES=10, CULL_EVERY=0)
    for i in range(40):
        never.set(f"k{i}", i)
    assert len(never._list_cache_files()) == 40
