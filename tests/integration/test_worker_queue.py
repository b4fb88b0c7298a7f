"""vigie-worker: heartbeat, jobs, dead letters, and jobs of dead workers
given back to the queue."""
import json
import uuid

from conftest import wait_for


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
