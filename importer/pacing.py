"""When to send the next edit: a pure rate policy, tested without a network.

The pacer spaces sends evenly: the next edit may start one interval after the
previous one *started* (never earlier, and a late edit is not made up for, so
there are no bursts). Penalties push the next send later:

- ``maxlag``/HTTP 5xx/a dropped connection: wait ``Retry-After`` (or the backoff,
  doubling with each consecutive failure up to a cap) before the next request;
- ``ratelimited``: the same wait, and the interval for the rest of the run grows
  (it never shrinks again: like scrapy's AutoThrottle, no speed-up after an error).

The clock and sleep are injected so tests run in microseconds.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Pacer:
    rate: float = 6.0                # edits per minute; 0 or less: no pacing
    backoff: float = 5.0             # first wait after a transient failure (s)
    backoff_max: float = 120.0       # cap of the doubling backoff (s)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    interval: float = field(init=False)
    last_send: float | None = field(default=None, init=False)
    not_before: float = field(default=0.0, init=False)
    failures: int = field(default=0, init=False)   # consecutive transient failures
    slowdowns: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.interval = 60.0 / self.rate if self.rate and self.rate > 0 else 0.0

    # --- the policy -----------------------------------------------------------
    def next_send(self) -> float:
        """The earliest clock time at which the next request may start."""
        t = self.not_before
        if self.last_send is not None:
            t = max(t, self.last_send + self.interval)
        return t

    def delay(self) -> float:
        return max(0.0, self.next_send() - self.clock())

    def backoff_for(self, retry_after: float | None = None) -> float:
        """The wait after the current run of consecutive failures."""
        wait = min(self.backoff * (2 ** max(0, self.failures - 1)), self.backoff_max)
        if retry_after:
            wait = max(wait, float(retry_after))
        return wait

    # --- events -----------------------------------------------------------------
    def sent(self) -> None:
        """Call when a request starts (the edit POST)."""
        self.last_send = self.clock()

    def succeeded(self) -> None:
        self.failures = 0

    def transient(self, retry_after: float | None = None) -> float:
        """A retryable failure (maxlag, 5xx, timeout, dropped connection):
        nothing is sent before the backoff has passed. Returns the wait."""
        self.failures += 1
        wait = self.backoff_for(retry_after)
        self.not_before = max(self.not_before, self.clock() + wait)
        return wait

    def ratelimited(self, retry_after: float | None = None) -> float:
        """The wiki said `ratelimited`: wait, and edit slower for the rest of
        the run (the interval doubles, to at least one second)."""
        self.slowdowns += 1
        self.interval = max(self.interval * 2, 1.0)
        return self.transient(retry_after)

    def current_rate(self) -> float:
        """Edits per minute the pacer allows now (inf without pacing)."""
        return 60.0 / self.interval if self.interval else float("inf")

    # --- acting on it -------------------------------------------------------------
    def wait(self, stop: Callable[[], bool] = lambda: False, step: float = 0.5) -> None:
        """Sleep until the next send is allowed (in steps, so `stop()` is seen)."""
        while True:
            d = self.delay()
            if d <= 0 or stop():
                return
            self.sleep(min(d, step))
