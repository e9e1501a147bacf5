"""A file cache shared by the workers of one machine that does not list its directory on every write.

Django's FileBasedCache counts its files before each `set` to decide whether to cull, which costs a directory listing
per write (milliseconds with a few thousand kept pages). Here the count is taken on one write in CULL_EVERY (default
50), so the directory may exceed MAX_ENTRIES by a few dozen files between two counts; CULL_EVERY 0 never culls (the
page versions, which must not be dropped in bulk, and sessions, which expire on their own).
"""

import random

from django.core.cache.backends.filebased import FileBasedCache


class FileCache(FileBasedCache):
    def __init__(self, dir, params):
        options = dict(params.get("OPTIONS") or {})
        self._cull_every = int(options.pop("CULL_EVERY", 50))
        super().__init__(dir, {**params, "OPTIONS": options})

    def _cull(self):
        if self._cull_every and random.randrange(self._cull_every) == 0:
            super()._cull()
