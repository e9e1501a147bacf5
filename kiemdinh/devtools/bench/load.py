"""The load run (`bench --load`): the deadline-day mix over two app servers, with open-loop arrivals stepped up.

Requests are issued on a schedule (Poisson arrivals at a fixed rate), whatever the earlier ones are doing: a slow
server makes requests wait and pile up, as real users' do, instead of slowing the users down (a closed loop hides
exactly that). Each request's latency counts from the moment it was due, so time spent waiting for a free client
thread counts too. Requests alternate between two gunicorn servers sharing the database (and Redis when configured).

The mix: the principals of the load schools (one each, all different schools) open their home page, their criterion
form and their evidence register and save their own criterion's form; officers open the commune and the province
dashboard and the annual plan. A 409 is a save that met another save of the same form: counted apart from errors.
"""

import http.client
import math
import random
import re
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.urls import reverse

from kiemdinh.devtools.bench.servers import AppServer, HttpUser, start_servers
from kiemdinh.devtools.bench.world import BenchWorld

DEFAULT_RATES = (60, 90, 120, 150, 180)  # arrivals per second, one step each
P95_LIMIT_MS = 250
TARGET_RATE = 120  # the highest rate held must reach this
WARM_UP_RATE, WARM_UP_SECONDS = 20, 3
LATE_SECONDS = 0.05  # a request started this much after it was due: the client itself could not keep up

# (kind, weight): one request each; a save is the POST alone (the form page it redirects to is in the mix as a read).
MIX = (
    ("home", 15),
    ("form", 20),
    ("evidence", 15),
    ("save", 15),
    ("commune dashboard", 10),
    ("province dashboard", 10),
    ("plan", 15),
)
EXPECTED = {"save": 302}  # every other kind answers 200


# --- Open-loop arrivals (no HTTP here: tested on fake requests) ----------------------------------------------------


def poisson_schedule(rate: float, seconds: float, rng: random.Random) -> list[float]:
    """Arrival times (seconds from the start) of a Poisson process of `rate` per second over `seconds`."""
    times, now = [], 0.0
    while True:
        now += rng.expovariate(rate)
        if now >= seconds:
            return times
        times.append(now)


@dataclass(frozen=True)
class Outcome:
    kind: str
    due: float  # seconds from the step's start
    started: float
    finished: float
    status: int | None  # None: no HTTP answer (refused, reset, timed out)
    expected: int = 200
    error: str = ""

    @property
    def latency(self) -> float:
        """From when the request was due, not when a client thread got to it."""
        return self.finished - self.due


def run_open_loop(
    schedule: list[float],
    send: Callable[[int], tuple[str, int | None, int, str]],
    *,
    concurrency: int,
    clock: Callable[[], float] = time.perf_counter,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Outcome]:
    """Call send(i) at schedule[i] seconds after the start on a pool of `concurrency` threads, whatever the earlier
    calls are doing; send returns (kind, status, expected status, error). Returns when every call has ended."""
    start = clock()

    def timed(index: int, due: float) -> Outcome:
        started = clock() - start
        try:
            kind, status, expected, error = send(index)
        except Exception as exc:  # a request that failed in the client is an error, not a missing request
            kind, status, expected, error = "?", None, 200, repr(exc)
        return Outcome(kind, due, started, clock() - start, status, expected, error)

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="bench-load") as pool:
        futures = []
        for index, due in enumerate(schedule):
            wait = start + due - clock()
            if wait > 0:
                sleep(wait)
            futures.append(pool.submit(timed, index, due))
        return [future.result() for future in futures]


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (the value below which `fraction` of them lie); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass
class Step:
    rate: float
    seconds: float
    outcomes: list[Outcome]
    client_cpu: float = 0.0  # CPU seconds the bench process (the simulated users) used during the step
    server_cpu: float = 0.0  # and the app servers

    @property
    def requests(self) -> int:
        return len(self.outcomes)

    @property
    def elapsed(self) -> float:
        return max([self.seconds, *(o.finished for o in self.outcomes)])

    @property
    def achieved(self) -> float:
        """Requests answered per second, over the step and the time its last requests took to end."""
        return self.requests / self.elapsed if self.elapsed else 0.0

    @property
    def p50_ms(self) -> float:
        return percentile([o.latency for o in self.answered], 0.5) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile([o.latency for o in self.answered], 0.95) * 1000

    @property
    def answered(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is not None]

    @property
    def server_errors(self) -> int:
        return sum(1 for o in self.outcomes if o.status is not None and o.status >= 500)

    @property
    def conflicts(self) -> int:
        return sum(1 for o in self.outcomes if o.status == 409)

    @property
    def other_errors(self) -> list[Outcome]:
        """No answer, or an answer that is neither the expected one, a 409 nor a 5xx."""
        return [o for o in self.outcomes if o.status is None or (o.status not in {o.expected, 409} and o.status < 500)]

    @property
    def late(self) -> int:
        return sum(1 for o in self.outcomes if o.started - o.due > LATE_SECONDS)

    @property
    def held(self) -> bool:
        return bool(self.outcomes) and self.p95_ms < P95_LIMIT_MS and not self.server_errors and not self.other_errors


def highest_held(steps: list[Step]) -> float:
    """The highest arrival rate held with every lower step held too (0 when the first step failed)."""
    best = 0.0
    for step in sorted(steps, key=lambda s: s.rate):
        if not step.held:
            break
        best = step.rate
    return best


@dataclass
class LoadResult:
    steps: list[Step]
    servers: int
    workers: int
    concurrency: int
    principals: int
    by_kind: dict[str, list[float]] = field(default_factory=dict)  # latencies (s) of every step, by kind
    problems: list[str] = field(default_factory=list)  # the first errors, with the servers' logs
    skipped: list[float] = field(default_factory=list)  # rates not run: a lower one was not held

    @property
    def highest(self) -> float:
        return highest_held(self.steps)


# --- The deadline-day mix over HTTP ---------------------------------------------------------------------------------


class _Principal:
    def __init__(self, load, user: HttpUser):
        self.load = load
        self.user = user
        self.form = reverse("workflow:form", args=[load.cycle_id, load.criterion])
        self.reads = {
            "home": reverse("workspace:home"),
            "form": self.form,
            "evidence": reverse("evidence:list", args=[load.cycle_id]),
        }
        self.version = 0
        self.saving = False


BASE_VERSION = re.compile(rb'name="base_version"\s+value="(\d+)"')


class DeadlineDay:
    """The requests of the mix, sent to the servers in turn. Each save goes to a principal with no save of its own
    in flight (a person waits for their save), with the form version its last save left."""

    def __init__(self, world: BenchWorld, servers: list[AppServer]):
        self.world = world
        self.ports = [s.port for s in servers]
        self.lock = threading.Lock()
        self.principals: list[_Principal] = []
        self.officers = {"commune": HttpUser(), "province": HttpUser()}
        self.rng = random.Random(19)
        self.kinds: list[str] = []

    def sign_in(self, concurrency: int) -> None:
        """Every simulated user signs in over HTTP (alternating servers) and each principal reads its form's
        version."""
        self.principals = [_Principal(load, HttpUser()) for load in self.world.load_principals]
        if not self.principals:
            raise RuntimeError("no load principals in the bench data")
        people = [(p.user, p.load.username) for p in self.principals]
        people += [(self.officers[k], self.world.users[f"{k}_officer"]) for k in self.officers]

        def one(index: int) -> None:
            user, username = people[index]
            user.login(self.ports[index % len(self.ports)], username, self.world.password)

        with ThreadPoolExecutor(max_workers=min(concurrency, 8)) as pool:
            list(pool.map(one, range(len(people))))
        for index, principal in enumerate(self.principals):
            answer = principal.user.request(self.ports[index % len(self.ports)], "GET", principal.form)
            found = BASE_VERSION.search(answer.body)
            if answer.status != 200 or not found:
                raise RuntimeError(f"the form page of {principal.load.username} answered {answer.status}")
            principal.version = int(found.group(1))

    def plan(self, count: int) -> None:
        """The kinds of the next `count` arrivals, drawn from the mix."""
        kinds, weights = zip(*MIX, strict=True)
        self.kinds = self.rng.choices(kinds, weights=weights, k=count)

    def send(self, index: int) -> tuple[str, int | None, int, str]:
        kind = self.kinds[index]
        port = self.ports[index % len(self.ports)]
        expected = EXPECTED.get(kind, 200)
        if kind == "save":
            return kind, *self._save(port)
        if kind in {"home", "form", "evidence"}:
            with self.lock:
                principal = self.rng.choice(self.principals)
            user, path = principal.user, principal.reads[kind]
        elif kind == "commune dashboard":
            user, path = self.officers["commune"], reverse("planning:dashboard", args=[self.world.commune_id])
        elif kind == "province dashboard":
            user, path = self.officers["province"], reverse("planning:dashboard", args=[self.world.province_id])
        else:
            user, path = self.officers["province"], reverse("planning:plan_detail", args=[self.world.plan_id])
        try:
            answer = user.request(port, "GET", path)
        except (OSError, http.client.HTTPException) as error:
            return kind, None, expected, repr(error)
        return kind, answer.status, expected, ""

    def _save(self, port: int) -> tuple[int | None, int, str]:
        with self.lock:
            free = [p for p in self.principals if not p.saving] or self.principals
            principal = self.rng.choice(free)
            principal.saving = True
            version = principal.version
        try:
            answer = principal.user.request(
                port,
                "POST",
                principal.form,
                form={"base_version": str(version), "strengths": f"Lưu lúc {time.time():.3f}"},
            )
        except (OSError, http.client.HTTPException) as error:
            with self.lock:
                principal.saving = False
            return None, 302, repr(error)
        with self.lock:
            if answer.status == 302:
                principal.version = max(principal.version, version + 1)
            elif answer.status == 409 and (found := BASE_VERSION.search(answer.body)):
                principal.version = max(principal.version, int(found.group(1)))
            principal.saving = False
        return answer.status, 302, ""


def run_load(
    world: BenchWorld,
    *,
    rates=DEFAULT_RATES,
    seconds: float = 20,
    workers: int = 2,
    concurrency: int = 128,
    log=print,
) -> LoadResult:
    """Two gunicorn servers of `workers` sync workers each; after every user has signed in and a short warm-up
    (not counted), one step of `seconds` per arrival rate, lowest first, until a step is not held."""
    servers = start_servers(2, workers=workers)
    result = LoadResult([], servers=2, workers=workers, concurrency=concurrency, principals=0)
    try:
        mix = DeadlineDay(world, servers)
        mix.sign_in(concurrency)
        result.principals = len(mix.principals)
        schedule_rng = random.Random(2025)
        # Warm-up, not counted: every worker imports, compiles its templates and opens its connections.
        warm = poisson_schedule(WARM_UP_RATE, WARM_UP_SECONDS, schedule_rng)
        mix.plan(len(warm))
        run_open_loop(warm, mix.send, concurrency=concurrency)
        for rate in sorted(rates):
            if result.steps and not result.steps[-1].held:
                # Past the highest rate held: a higher one would only pile up more requests, and take long to drain.
                result.skipped.append(rate)
                continue
            schedule = poisson_schedule(rate, seconds, schedule_rng)
            mix.plan(len(schedule))
            client_cpu, server_cpu = time.process_time(), sum(s.cpu_seconds() for s in servers)
            outcomes = run_open_loop(schedule, mix.send, concurrency=concurrency)
            step = Step(
                rate,
                seconds,
                outcomes,
                client_cpu=time.process_time() - client_cpu,
                server_cpu=sum(s.cpu_seconds() for s in servers) - server_cpu,
            )
            result.steps.append(step)
            for outcome in outcomes:
                result.by_kind.setdefault(outcome.kind, []).append(outcome.latency)
            log(
                f"  load {rate:g}/s: {step.achieved:.1f} req/s, p50 {step.p50_ms:.0f} ms, p95 {step.p95_ms:.0f} ms, "
                f"{step.server_errors} 5xx, {len(step.other_errors)} other errors, {step.conflicts} × 409, "
                f"{step.late} started late; CPU: client {step.client_cpu:.1f} s, servers {step.server_cpu:.1f} s"
            )
            problems = [o for o in outcomes if o.status is None or o.status >= 500 or o.status not in {o.expected, 409}]
            for outcome in problems[: 5 - len(result.problems)]:
                result.problems.append(
                    f"{rate:g}/s {outcome.kind}: {outcome.status or 'no answer'} {outcome.error}".strip()
                )
        if result.problems:
            result.problems += [f"end of server {s.port}'s log:\n{s.tail(2000)}" for s in servers]
    finally:
        for server in servers:
            server.stop()
    log(
        "  load, by request: "
        + "; ".join(
            f"{kind} {len(times)}× p50 {statistics.median(times) * 1000:.0f} ms"
            for kind, times in sorted(result.by_kind.items(), key=lambda kv: -sum(kv[1]))
        )
    )
    return result
