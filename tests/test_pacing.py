"""The rate policy (importer/pacing.py), with a fake clock: no network, no sleeping."""
from __future__ import annotations

import pytest

from importer.pacing import Pacer


class FakeClock:
    def __init__(self):
        self.t = 1000.0
        self.slept = []

    def __call__(self):
        return self.t

    def sleep(self, s):
        self.slept.append(s)
        self.t += s


def pacer(**kw):
    c = FakeClock()
    return Pacer(clock=c, sleep=c.sleep, **kw), c


def test_default_rate_is_one_edit_every_ten_seconds():
    p, c = pacer()
    assert p.interval == 10.0
    assert p.delay() == 0            # the first edit goes at once
    p.sent()
    assert p.delay() == 10.0


def test_sends_are_evenly_spaced_and_late_edits_are_not_made_up():
    p, c = pacer(rate=60)
    times = []
    for i in range(5):
        p.wait()
        times.append(c.t)
        p.sent()
        c.t += 0.2 if i != 2 else 3.0   # one slow edit
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert gaps[0] == pytest.approx(1.0)
    assert gaps[2] == pytest.approx(3.0)      # the slow one
    assert gaps[3] == pytest.approx(1.0)      # no burst after it
    assert min(gaps) >= 1.0 - 1e-9


def test_rate_zero_means_no_pacing():
    p, c = pacer(rate=0)
    p.sent()
    assert p.delay() == 0
    assert p.current_rate() == float("inf")


def test_transient_failures_back_off_doubling_with_a_cap():
    p, c = pacer(rate=0, backoff=2, backoff_max=10)
    waits = [p.transient() for _ in range(5)]
    assert waits == [2, 4, 8, 10, 10]
    p.succeeded()
    assert p.transient() == 2


def test_retry_after_is_honoured_when_longer():
    p, c = pacer(rate=0, backoff=1)
    assert p.transient(retry_after=7) == 7
    assert p.delay() == pytest.approx(7)
    p.wait()
    assert c.t == pytest.approx(1007)


def test_ratelimited_slows_the_rest_of_the_run_and_never_speeds_up():
    p, c = pacer(rate=60, backoff=1)
    p.ratelimited()
    assert p.interval == 2.0
    p.succeeded()
    p.sent()
    assert p.delay() >= 2.0
    p.ratelimited()
    assert p.interval == 4.0
    assert p.current_rate() == 15.0


def test_ratelimited_without_pacing_still_slows_down():
    p, c = pacer(rate=0, backoff=1)
    p.ratelimited()
    assert p.interval == 1.0


def test_wait_returns_early_when_stopped():
    p, c = pacer(rate=1)
    p.sent()
    p.wait(stop=lambda: len(c.slept) >= 2, step=0.5)
    assert c.slept == [0.5, 0.5]
