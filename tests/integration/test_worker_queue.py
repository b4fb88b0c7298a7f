"""vigie-worker: heartbeat, jobs, dead letters, and jobs of dead workers
given back to the queue."""
import json
import os
import uuid

from conftest import log_lines, wait_for


def live_workers(redis):
    return [k for k in redis.scan_iter("p:worker:*")]


def test_worker_reports_a_heartbeat(redis):
    workers = wait_for(lambda: live_workers(redis), 5)
    assert workers, "no worker heartbeat in Redis"
    info = json.loads(redis.get(workers[0]))
    assert info["pid"] > 0
    assert redis.ttl(workers[0]) > 0


def test_malformed_and_unknown_jobs_go_to_dead_letters(redis):
    marker = uuid.uuid4().hex
    bad = "{not json " + marker
    unknown = json.dumps({"type": "no-such-job", "marker": marker})
    redis.lpush("p:jobs", bad, unknown)

    def dead_ones():
        entries = [json.loads(e) for e in redis.lrange("p:jobs:dead", 0, -1)]
        return [e for e in entries if marker in e["job"]]

    dead = wait_for(lambda: len(dead_ones()) == 2 and dead_ones(), 10)
    assert dead, "jobs did not reach the dead-letter list"
    reasons = sorted(e["reason"] for e in dead)
    assert any("not JSON" in r for r in reasons)
    assert any("unknown job type" in r for r in reasons)


def test_probe_job_is_done_and_acknowledged(redis):
    job = json.dumps({"type": "probe", "id": uuid.uuid4().hex})
    redis.lpush("p:jobs", job)

    def gone():
        if redis.lpos("p:jobs", job) is not None:
            return False
        for key in redis.scan_iter("p:jobs:processing:*"):
            if redis.lpos(key, job) is not None:
                return False
        return True

    assert wait_for(gone, 10)
    assert job not in redis.lrange("p:jobs:dead", 0, -1)


def test_jobs_of_a_dead_worker_are_taken_again(redis):
    """A worker that died mid-job left it in its processing list and its
    heartbeat expired: a live worker gives the job back and runs it."""
    ghost = "ghost-" + uuid.uuid4().hex
    marker = uuid.uuid4().hex
    job = json.dumps({"type": "no-such-job", "marker": marker})
    redis.lpush(f"p:jobs:processing:{ghost}", job)
    redis.sadd("p:workers", ghost)

    def handled():
        return any(marker in e for e in redis.lrange("p:jobs:dead", 0, -1))

    assert wait_for(handled, 15), "the ghost's job was never taken again"
    assert redis.llen(f"p:jobs:processing:{ghost}") == 0
    assert not redis.sismember("p:workers", ghost)


def redis_now_ms(redis):
    seconds, micros = redis.time()
    return seconds * 1000 + micros // 1000


def test_delayed_job_waits_until_due_then_runs(redis):
    """A job put aside in p:jobs:delayed stays there until its time (by
    Redis's clock), then a worker's tick moves it to p:jobs and runs it."""
    marker = uuid.uuid4().hex
    job = json.dumps({"type": "no-such-job", "marker": marker})
    redis.zadd("p:jobs:delayed", {job: redis_now_ms(redis) + 60_000})
    later = json.dumps({"type": "no-such-job", "marker": marker + "-due"})
    redis.zadd("p:jobs:delayed", {later: redis_now_ms(redis) + 1500})

    def dead_markers():
        return [json.loads(json.loads(e)["job"])["marker"]
                for e in redis.lrange("p:jobs:dead", 0, -1)
                if marker in e]

    assert wait_for(lambda: marker + "-due" in dead_markers(), 15)
    assert redis.zscore("p:jobs:delayed", later) is None
    # The one due in a minute is still waiting, untouched.
    assert redis.zscore("p:jobs:delayed", job) is not None
    assert marker not in dead_markers()
    redis.zrem("p:jobs:delayed", job)


def test_periodic_probe_is_claimed_by_one_worker_per_period(redis):
    """The schedule's claim for the probe is a key that expires with the
    period (60 s by default), held by a live worker, and the probe ran."""
    claim = wait_for(lambda: redis.get("p:sched:probe"), 10)
    assert claim, "no worker claimed the periodic probe"
    assert 0 < redis.pttl("p:sched:probe") <= 60_000
    assert redis.sismember("p:workers", claim)

    def probed():
        return [l for l in log_lines(os.environ["VIGIE_TEST_WORKER_LOG"])
                if l.get("logger") == "worker.probe"]

    assert wait_for(probed, 10), "the scheduled probe never ran"
