"""The memory run (part of `bench --load`): a large evidence upload and the dossier download that carries it, through
a running gunicorn worker, with the growth of the worker's resident memory while each runs.

The file is random bytes behind a PDF header, written to disk 1 MB at a time; it is sent as a multipart body read from
the file as it goes, and the download is read in pieces and dropped, so neither sits in the bench process. Only the
app's own pages are used (the evidence form, the dossier download, the remove button): whatever file storage the
installation is configured with, the bytes go through it. What was uploaded is removed again at the end.
"""

import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.urls import reverse

from kiemdinh.devtools.bench.servers import (
    CHUNK,
    AppServer,
    HttpUser,
    PeakSampler,
    memory_kb,
    multipart_file,
    reset_peak,
)
from kiemdinh.devtools.bench.world import BenchWorld
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.models import Cycle

GROWTH_LIMIT_MB = 50
PDF_HEADER = b"%PDF-1.4\n"


@dataclass
class MemoryRun:
    name: str
    size: int  # bytes sent or received
    seconds: float
    baseline_kb: int  # the worker's VmRSS just before
    peak_kb: int  # its highest VmRSS while the request ran
    after_kb: int  # its VmRSS after
    how: str  # how the peak was read

    @property
    def growth_mb(self) -> float:
        return (self.peak_kb - self.baseline_kb) / 1024

    @property
    def met(self) -> bool:
        return self.growth_mb < GROWTH_LIMIT_MB


def write_random_file(path: Path, size: int) -> None:
    """A file that does not compress, starting like a PDF (the upload checks content against the extension)."""
    with open(path, "wb") as target:
        target.write(PDF_HEADER)
        left = size - len(PDF_HEADER)
        while left > 0:
            block = os.urandom(min(CHUNK, left))
            target.write(block)
            left -= len(block)


def measured(pid: int, fn) -> tuple[object, int, int, int, float, str]:
    """Run fn while watching process `pid`: (fn's result, VmRSS before, peak VmRSS, VmRSS after, seconds, how)."""
    baseline = memory_kb(pid)["VmRSS"]
    peak_resettable = reset_peak(pid)
    started = time.perf_counter()
    with PeakSampler(pid) as sampler:
        result = fn()
    seconds = time.perf_counter() - started
    now = memory_kb(pid)
    peak = max(sampler.peak_kb, now["VmHWM"] if peak_resettable else 0, baseline)
    how = "VmHWM (reset before) and VmRSS sampled every 5 ms" if peak_resettable else "VmRSS sampled every 5 ms"
    return result, baseline, peak, now["VmRSS"], seconds, how


class _Uploader:
    def __init__(self, world: BenchWorld, server: AppServer, user: HttpUser):

        self.world, self.server, self.user = world, server, user
        cycle = Cycle.objects.get(pk=world.cycle_memory)
        self.criterion = Criterion.objects.filter(version=cycle.framework_id).order_by("position").first()
        self.links: list[int] = []

    def upload(self, path: Path, name: str) -> int:
        content_type, length, pieces = multipart_file(
            {"criterion": str(self.criterion.pk), "name": name, "allow_duplicate": "on"},
            "files",
            path,
            path.name,
            "application/pdf",
        )
        answer = self.user.request(
            self.server.port,
            "POST",
            reverse("evidence:add", args=[self.world.cycle_memory]),
            body=pieces,
            headers={"Content-Type": content_type, "Content-Length": str(length)},
        )
        found = re.search(r"#mc-(\d+)$", answer.headers.get("Location", ""))
        if answer.status != 302 or not found:
            errors = re.findall(rb'class="[^"]*error[^"]*"[^>]*>([^<]+)<', answer.body)[:3]
            raise RuntimeError(
                f"upload of {path.stat().st_size:,} bytes answered {answer.status}: "
                + "; ".join(e.decode(errors="replace").strip() for e in errors)
                + f"\n{self.server.tail(1500)}"
            )
        self.links.append(int(found.group(1)))
        return length

    def download(self) -> int:
        path = reverse("documents:download", args=[self.world.cycle_memory, "dossier", "zip"])
        answer = self.user.request(self.server.port, "GET", path, keep_body=False)
        if answer.status != 200 or answer.size != int(answer.headers.get("Content-Length", -1)):
            raise RuntimeError(f"dossier download answered {answer.status} with {answer.size:,} bytes")
        return answer.size

    def remove_all(self) -> None:
        for link in self.links:
            answer = self.user.request(
                self.server.port, "POST", reverse("evidence:remove", args=[self.world.cycle_memory, link])
            )
            if answer.status != 302:
                raise RuntimeError(f"removing the uploaded evidence item {link} answered {answer.status}")
        self.links = []


def run_memory(world: BenchWorld, *, megabytes: int = 200, log=print) -> list[MemoryRun]:
    """One gunicorn server with a single worker (so every request is that process), its evidence size cap raised
    above the file; a small upload and download first (imports, templates), then the measured ones."""
    size = megabytes * 1024 * 1024
    runs = []
    with tempfile.TemporaryDirectory(prefix="kiemdinh-bench-") as folder:
        source = Path(folder) / f"minh-chung-{megabytes}MB.pdf"
        write_random_file(source, size)
        warm = Path(folder) / "khoi-dong.pdf"
        write_random_file(warm, 256 * 1024)
        server = AppServer(workers=1, env={"KIEMDINH_EVIDENCE_MAX_MB": str(megabytes + 16)}, timeout=600).start()
        try:
            server.wait_ready()
            pid = server.worker_pids()[0]
            user = HttpUser()
            user.login(server.port, world.users["principal_memory"], world.password)
            uploader = _Uploader(world, server, user)
            try:
                uploader.upload(warm, "Tệp khởi động của phép đo bộ nhớ")
                uploader.download()
                for name, fn in (
                    (
                        f"{megabytes} MB evidence upload",
                        lambda: uploader.upload(source, f"Tệp {megabytes} MB của phép đo bộ nhớ"),
                    ),
                    (f"{megabytes} MB dossier download", uploader.download),
                ):
                    moved, baseline, peak, after, seconds, how = measured(pid, fn)
                    runs.append(MemoryRun(name, moved, seconds, baseline, peak, after, how))
                    log(
                        f"  {name}: {moved / 1024 / 1024:,.1f} MB in {seconds:.1f} s, worker RSS {baseline / 1024:.1f}"
                        f" → peak {peak / 1024:.1f} → {after / 1024:.1f} MB"
                    )
            finally:
                uploader.remove_all()
        finally:
            server.stop()
    return runs
