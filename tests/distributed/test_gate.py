"""A host's gate whose Redis fails while requests wait at it, on a real Redis.

While none of a host's requests is in flight, nothing but the gate's own timer
wakes the ones that wait (the scheduler leases no more of the host's pages
meanwhile), so the timer must outlive a Redis error, and end quietly once the
process has given up on Redis (``outage``). Each case runs in a process of its
own (:data:`_PROBE`; a Twisted reactor cannot be restarted): one request goes
through the gate and is answered, the next waits for the host's delay, and the
test breaks Redis before the timer that should wake it fires.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.distributed.conftest import RedisServer, env, kill, wait_until

ROOT = Path(__file__).resolve().parents[2]
HOST = "board.test"
#: One gate, as a worker has it (the asyncio reactor, Twisted's errors logged as
#: Scrapy logs them, with their tracebacks: ``scan --debug``); argv: Redis URL, delay.
_PROBE = f"""
import json, logging, sys
from scrapy.utils.reactor import install_reactor
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
from twisted.internet import reactor, task
from twisted.python import log
from scanner.crawl.distributed.connection import connect, outage_of
from scanner.crawl.distributed.gate import SharedHostGate
from scanner.crawl.distributed.keys import Job, Keys
from scanner.crawl.distributed.link import Link
from scanner.crawl.hosts import Pace

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
log.PythonLoggingObserver().start()
client = connect(sys.argv[1])
job = Job(id="j", db="", host="", version="", parent_run=0, base={{}}, overrides={{}})
Link.active = Link(client, Keys(), job, worker="probe")
gate = SharedHostGate.of({HOST!r})
gate.join(1, Pace(delay=float(sys.argv[2])))
assert gate.enter() is None  # the first request goes at once, and is answered:
gate.done()  # none in flight, the next one waits for the delay
waiter = gate.enter()
assert waiter is not None and gate.timer is not None
print("waiting", flush=True)
sys.stdin.readline()  # Redis is broken now: the timer fires after this


def stop(_=None):
    if reactor.running:
        reactor.stop()


outage = outage_of(client)


def given_up():  # as giveup.GiveUp does, a moment later: time for the timer to misbehave
    if outage.given_up():
        watch.stop()
        reactor.callLater(1.0, stop)


waiter.addCallback(stop)
watch = task.LoopingCall(given_up)
watch.start(0.1)
reactor.callLater(60, stop)
reactor.run()
state = {{"woken": waiter.called, "given_up": outage.given_up(), "timer": gate.timer is not None}}
print(json.dumps(state), flush=True)
"""


def start_probe(server: RedisServer, delay: float, **environ: str) -> subprocess.Popen[str]:
    probe = subprocess.Popen(
        [sys.executable, "-c", _PROBE, server.url, str(delay)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env(), **environ},
    )
    assert probe.stdout is not None
    if probe.stdout.readline() != "waiting\n":
        kill(probe)
        raise AssertionError(f"the probe did not start:\n{probe.communicate()[1][-3000:]}")
    return probe


def go(probe: subprocess.Popen[str]) -> None:
    assert probe.stdin is not None
    probe.stdin.write("go\n")
    probe.stdin.flush()


def result(probe: subprocess.Popen[str]) -> tuple[dict[str, Any], str]:
    try:
        out, err = probe.communicate(timeout=90)  # it ends at all (the probe stops at 60 s)
    except subprocess.TimeoutExpired:
        kill(probe)
        out, err = probe.communicate()
        raise AssertionError(f"the probe still runs:\n{err[-3000:]}") from None
    assert probe.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1]), err


def refused_writes(server: RedisServer) -> int:
    """How many commands Redis refused for want of replicas (NOREPLICAS)."""
    stats = server.client().info("errorstats")
    return int(stats.get("errorstat_NOREPLICAS", {}).get("count", 0))


def test_a_gate_whose_redis_errs_warns_once_and_wakes_its_request_when_redis_answers(
    redis_server: RedisServer,
) -> None:
    """Redis answers, but with an error (here it refuses writes until it has a replica,
    as with ``min-replicas-to-write``; a failover's READONLY or a MISCONF look the
    same): redis-py does not retry that. The timer that met it used to end there,
    with a traceback, and the request it should have woken waited for ever."""
    probe = start_probe(redis_server, 0.3)
    try:
        redis_server.client().config_set("min-replicas-to-write", 1)
        go(probe)
        # Refused twice: the gate tried again after its first failure.
        wait_until(lambda: refused_writes(redis_server) >= 2, 30, "the gate's second try")
        redis_server.client().config_set("min-replicas-to-write", 0)
        state, err = result(probe)
    finally:
        kill(probe)
    assert state["woken"], err[-3000:]
    assert "Traceback" not in err and "Unhandled" not in err, err[-3000:]
    warnings = [line for line in err.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1, err[-3000:]  # once, however many tries failed
    assert HOST in warnings[0] and "NOREPLICAS" in warnings[0], warnings


def test_a_gate_stops_quietly_once_the_process_has_given_up_on_redis(
    redis_server: RedisServer,
) -> None:
    """Redis killed for good: the timer's command is retried until the process gives
    up, then fails; it used to end in a Twisted traceback ("Unhandled Error")."""
    probe = start_probe(redis_server, 0.3, SCAN_REDIS_OUTAGE_SECONDS="1")
    try:
        redis_server.kill()
        go(probe)
        state, err = result(probe)
    finally:
        kill(probe)
    assert state == {"woken": False, "given_up": True, "timer": False}, err[-3000:]
    assert "Traceback" not in err and "Unhandled" not in err, err[-3000:]
    # Nothing to say: the process's one line says Redis is gone (connection.lost).
    assert not [line for line in err.splitlines() if line.startswith("WARNING")], err[-3000:]


#: A gate telling Redis what happened to a download while Redis refuses writes;
#: argv: Redis URL. No reactor: nothing here waits. Prints what it saw as JSON.
_TELL = f"""
import json, logging, sys
import redis
from scanner.crawl.distributed.connection import connect
from scanner.crawl.distributed.gate import SharedHostGate
from scanner.crawl.distributed.keys import Job, Keys
from scanner.crawl.distributed.link import Link
from scanner.crawl.hosts import Pace

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
client = connect(sys.argv[1])
job = Job(id="j", db="", host="", version="", parent_run=0, base={{}}, overrides={{}})
Link.active = Link(client, Keys(), job, worker="probe")
gate = SharedHostGate.of({HOST!r})
gate.join(1, Pace(autothrottle=True))
assert gate.enter() is None  # a place taken, then Redis refuses every write:
redis.Redis.from_url(sys.argv[1]).config_set("min-replicas-to-write", 1)
gate.pause(30.0)  # the response: a 503 with Retry-After: 30
gate.done()
gate.latency(0.2, 503)
redis.Redis.from_url(sys.argv[1]).config_set("min-replicas-to-write", 0)
print(json.dumps({{"wait": gate._asked(), "in_flight": client.zcard(gate.flight)}}), flush=True)
"""


def test_a_gate_whose_redis_errs_never_fails_the_response_and_keeps_its_pause(
    redis_server: RedisServer,
) -> None:
    """Freeing a place, a Retry-After and a latency are only told to Redis. A Redis
    error there used to raise out of the downloader middleware, failing a page that
    had been fetched; the host's pause was lost with it."""
    probe = subprocess.run(
        [sys.executable, "-c", _TELL, redis_server.url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env(),
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    state = json.loads(probe.stdout.strip().splitlines()[-1])
    assert 25 < state["wait"] <= 30  # the pause holds in the worker, though Redis never had it
    assert state["in_flight"] == 1  # the place was not freed: it expires by itself
    warnings = [line for line in probe.stderr.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1 and "NOREPLICAS" in warnings[0], probe.stderr[-3000:]
