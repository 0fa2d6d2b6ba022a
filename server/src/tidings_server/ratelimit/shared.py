"""`SharedRateLimiter`: one GCRA state per key in NATS JetStream KV, spent through local leases.

See the package docstring for the design, the measured figures and the precision bound.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass, field

import nats.errors
import nats.js.errors
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import Header, KeyValueConfig, StorageType
from nats.js.kv import KeyValue

from tidings_server.ratelimit.core import (
    NS_PER_SECOND,
    Clock,
    Decision,
    Grant,
    reserve,
    validate,
)
from tidings_server.ratelimit.keys import kv_key
from tidings_server.ratelimit.local import LocalRateLimiter

__all__ = ["DEFAULT_BUCKET", "SharedRateLimiter", "SharedStats", "lease_size"]

log = logging.getLogger(__name__)

DEFAULT_BUCKET = "tidings_ratelimit"
# A lease is at most this long a stretch of the key's rate: 20 ms keeps a busy key at 50 store
# round trips per second per process while the cells a process can hold unspent stay small.
LEASE_SECONDS = 0.02
# ... and at most this fraction of the burst, so that N processes holding leases cannot strand
# much of a small bucket (N * lease is the precision slack, see the package docstring).
LEASE_BURST_FRACTION = 0.1
# Leased cells not spent within this time are dropped: a process that went quiet gives its share
# back to the shared bucket's refill instead of spending it much later in someone else's window.
LEASE_TTL_SECONDS = 1.0
# One store operation (read or compare-and-set) slower than this counts as an outage. JetStream
# answers a memory-stored KV in well under a millisecond; this only catches a dead or stuck server.
STORE_TIMEOUT_SECONDS = 0.5
# After a store failure the local fallback answers for this long before the store is tried again:
# a down NATS then costs one timeout per second per process, not one per request.
OUTAGE_RETRY_SECONDS = 1.0
# Compare-and-set attempts on one key before giving up (answering "refused, retry shortly"): only
# reached when many processes race on one key at the same instant.
MAX_CAS_ATTEMPTS = 8
# Keys tracked per process before idle ones (no lease, bucket full again) are forgotten.
MAX_TRACKED_KEYS = 100_000
# JetStream's error codes for a failed expected-last-subject-sequence check.
_WRONG_LAST_SEQUENCE = (10071, 10164)


def lease_size(
    rate: float, burst: int, *, lease_seconds: float = LEASE_SECONDS, fraction: float = LEASE_BURST_FRACTION
) -> int:
    """The most cells one process holds unspent for a key: `min(rate * lease_seconds, burst *
    fraction)`, rounded down; 0 means no lease (every hit is a compare-and-set)."""
    if lease_seconds <= 0:
        return 0
    return max(0, min(math.floor(rate * lease_seconds), math.floor(burst * fraction)))


class _StoreError(Exception):
    """The shared store did not answer usefully (internal: triggers the fallback)."""


@dataclass
class SharedStats:
    """Counters for tests, benchmarks and metrics (monotonic, per limiter)."""

    leased: int = 0  # hits answered from a lease, no I/O
    cached_refusals: int = 0  # hits refused from the last known store state, no I/O
    store_hits: int = 0  # hits that waited for a store round trip
    refills: int = 0  # background lease top-ups
    cas_conflicts: int = 0  # compare-and-set lost to another process
    contention_refusals: int = 0  # hits refused after MAX_CAS_ATTEMPTS conflicts
    fallbacks: int = 0  # hits answered by the local fallback (store unreachable)
    outages: int = 0  # transitions into fallback mode


@dataclass(eq=False)
class _KeyState:
    """What this process knows about one key."""

    kv_key: str
    # The last TAT read from or written to the store. The stored TAT never decreases (a key that
    # expires had a TAT in the past, which means the same as 0), so this is a lower bound of the
    # real one: a refusal computed from it is a real refusal, which lets us refuse without I/O.
    tat: int = 0
    # KV revision of `tat`, for the next compare-and-set; None means read before writing.
    revision: int | None = None
    # Cells reserved in the store and not yet spent by this process.
    tokens: int = 0
    lease_expires: int = 0  # monotonic ns
    # Serialises store round trips for this key in this process: concurrent hits that miss the
    # lease queue behind one reservation instead of racing each other with compare-and-set.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Cells wanted by hits queued on `lock`: the holder reserves for them too, so a burst of
    # concurrent hits costs one round trip, not one each.
    queued: int = 0
    refilling: bool = False


class SharedRateLimiter:
    """A `RateLimiter` shared by every process connected to the same NATS (JetStream) system.

    State: one KV entry per limiter key in the bucket `bucket` (memory storage, history 1,
    per-message TTL so idle keys vanish), holding the key's GCRA TAT as ASCII wall-clock
    nanoseconds, updated by compare-and-set on the KV revision.

    Hot path: each process reserves a *lease* of cells from the shared state in one
    compare-and-set and spends it locally; it tops the lease up in the background when it runs
    half empty, and refuses without I/O when its last view of the shared state already refuses.
    `lease_seconds=0` turns leases off: every hit is one compare-and-set (exact, slower).

    Fallback: while NATS is disconnected, or for `OUTAGE_RETRY_SECONDS` after a store failure, hits
    are answered by a `LocalRateLimiter` with the same limits (fail open to a per-process limit).

    The limiter does not own `nc`: the caller connects and closes it.
    """

    def __init__(
        self,
        nc: NATS,
        *,
        bucket: str = DEFAULT_BUCKET,
        replicas: int = 1,
        lease_seconds: float = LEASE_SECONDS,
        lease_burst_fraction: float = LEASE_BURST_FRACTION,
        lease_ttl: float = LEASE_TTL_SECONDS,
        store_timeout: float = STORE_TIMEOUT_SECONDS,
        outage_retry: float = OUTAGE_RETRY_SECONDS,
        clock: Clock = time.time_ns,
        monotonic: Clock = time.monotonic_ns,
        fallback: LocalRateLimiter | None = None,
    ) -> None:
        self._nc = nc
        self._js: JetStreamContext = nc.jetstream()
        self._bucket = bucket
        self._replicas = replicas
        self._subject_prefix = f"$KV.{bucket}."
        self._lease_seconds = lease_seconds
        self._lease_fraction = lease_burst_fraction
        self._lease_ttl_ns = int(lease_ttl * NS_PER_SECOND)
        self._store_timeout = store_timeout
        self._outage_retry_ns = int(outage_retry * NS_PER_SECOND)
        self._clock = clock
        self._monotonic = monotonic
        self._fallback = fallback or LocalRateLimiter()
        self._kv: KeyValue | None = None
        self._keys: dict[str, _KeyState] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._outage_until = 0  # monotonic ns; in fallback mode while now is before this
        self._closed = False
        self.stats = SharedStats()

    # -- the RateLimiter interface --------------------------------------------------------------

    async def hit(self, key: str, *, rate: float, burst: int, cost: int = 1) -> Decision:
        validate(rate, burst, cost)
        if self._closed:
            raise RuntimeError("rate limiter is closed")
        if self.degraded:
            self.stats.fallbacks += 1
            return await self._fallback.hit(key, rate=rate, burst=burst, cost=cost)
        state = self._state(key)
        if state.tokens and self._monotonic() >= state.lease_expires:
            state.tokens = 0
        if state.tokens >= cost:
            state.tokens -= cost
            self.stats.leased += 1
            now = self._clock()
            view = reserve(state.tat, now, rate=rate, burst=burst, min_cells=0, max_cells=0)
            self._maybe_refill(state, now, rate=rate, burst=burst)
            return view.decision(burst, extra=state.tokens)
        need = cost - state.tokens
        view = reserve(state.tat, self._clock(), rate=rate, burst=burst, min_cells=need, max_cells=need)
        if not view.granted:
            self.stats.cached_refusals += 1
            return view.decision(burst, extra=state.tokens)
        return await self._hit_store(key, state, rate=rate, burst=burst, cost=cost)

    async def close(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._fallback.close()

    # -- introspection --------------------------------------------------------------------------

    @property
    def degraded(self) -> bool:
        """True while hits are answered by the local fallback."""
        return not self._nc.is_connected or self._monotonic() < self._outage_until

    @property
    def refills_in_flight(self) -> int:
        """Background lease refills started and not finished yet."""
        return len(self._tasks)

    def lease_size(self, rate: float, burst: int) -> int:
        """Cells reserved beyond the current hit's cost (0: no lease, every hit goes to the store)."""
        return lease_size(rate, burst, lease_seconds=self._lease_seconds, fraction=self._lease_fraction)

    # -- internals ------------------------------------------------------------------------------

    def _state(self, key: str) -> _KeyState:
        state = self._keys.get(key)
        if state is None:
            if len(self._keys) >= MAX_TRACKED_KEYS:
                self._forget_idle()
            state = self._keys[key] = _KeyState(kv_key(key))
        return state

    def _forget_idle(self) -> None:
        now = self._clock()
        self._keys = {
            k: s for k, s in self._keys.items() if s.tokens or s.tat > now or s.lock.locked() or s.refilling
        }

    async def _hit_store(self, key: str, state: _KeyState, *, rate: float, burst: int, cost: int) -> Decision:
        state.queued += cost
        try:
            async with state.lock:
                state.queued -= cost
                return await self._hit_store_locked(key, state, rate=rate, burst=burst, cost=cost)
        except BaseException:
            if not state.lock.locked():  # cancelled while waiting: our cells are no longer wanted
                state.queued -= cost
            raise

    async def _hit_store_locked(
        self, key: str, state: _KeyState, *, rate: float, burst: int, cost: int
    ) -> Decision:
        # The previous holder may have refilled the lease, or learnt that the bucket is empty.
        if state.tokens >= cost:
            state.tokens -= cost
            self.stats.leased += 1
            view = reserve(state.tat, self._clock(), rate=rate, burst=burst, min_cells=0, max_cells=0)
            return view.decision(burst, extra=state.tokens)
        if self.degraded:
            self.stats.fallbacks += 1
            return await self._fallback.hit(key, rate=rate, burst=burst, cost=cost)
        need = cost - state.tokens
        view = reserve(state.tat, self._clock(), rate=rate, burst=burst, min_cells=need, max_cells=need)
        if not view.granted:
            self.stats.cached_refusals += 1
            return view.decision(burst, extra=state.tokens)
        self.stats.store_hits += 1
        extra = max(self.lease_size(rate, burst), state.queued)
        try:
            grant = await self._reserve(state, rate=rate, burst=burst, min_cells=need, max_cells=need + extra)
        except _StoreError as exc:
            self._enter_outage(exc)
            self.stats.fallbacks += 1
            return await self._fallback.hit(key, rate=rate, burst=burst, cost=cost)
        if grant is None:
            self.stats.contention_refusals += 1
            backlog = max(0, state.tat - self._clock())
            return Decision(False, burst, 0, backlog / NS_PER_SECOND, 1 / rate)
        if grant.granted:
            state.tokens += grant.cells - cost
            state.lease_expires = self._monotonic() + self._lease_ttl_ns
        return grant.decision(burst, extra=state.tokens)

    def _maybe_refill(self, state: _KeyState, now: int, *, rate: float, burst: int) -> None:
        lease = self.lease_size(rate, burst)
        if lease == 0 or state.refilling or state.lock.locked() or state.tokens * 2 > lease:
            return
        # Only when our view says the store has cells: a refill of an exhausted bucket is a round
        # trip for nothing.
        if not reserve(state.tat, now, rate=rate, burst=burst, min_cells=1, max_cells=1).granted:
            return
        state.refilling = True
        task = asyncio.create_task(self._refill(state, rate=rate, burst=burst, lease=lease))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _refill(self, state: _KeyState, *, rate: float, burst: int, lease: int) -> None:
        try:
            async with state.lock:
                want = lease - state.tokens
                if want <= 0 or self.degraded:
                    return
                self.stats.refills += 1
                grant = await self._reserve(state, rate=rate, burst=burst, min_cells=1, max_cells=want)
                if grant is not None and grant.granted:
                    state.tokens += grant.cells
                    state.lease_expires = self._monotonic() + self._lease_ttl_ns
        except _StoreError as exc:
            self._enter_outage(exc)
        finally:
            state.refilling = False

    def _enter_outage(self, exc: BaseException) -> None:
        if not self.degraded:
            self.stats.outages += 1
            log.warning("rate limit store unavailable, using per-process limits: %r", exc)
        self._outage_until = self._monotonic() + self._outage_retry_ns

    async def _reserve(
        self, state: _KeyState, *, rate: float, burst: int, min_cells: int, max_cells: int
    ) -> Grant | None:
        """Compare-and-set `max_cells` (at least `min_cells`) out of the store; None when it kept
        losing races. A refusal writes nothing. Raises `_StoreError`."""
        try:
            async with asyncio.timeout(self._store_timeout):
                recreated = False
                for _ in range(MAX_CAS_ATTEMPTS):
                    try:
                        if state.revision is None:
                            await self._read(state)
                        now = self._clock()
                        grant = reserve(
                            state.tat, now, rate=rate, burst=burst, min_cells=min_cells, max_cells=max_cells
                        )
                        if not grant.granted:
                            return grant
                        if await self._write(state, grant.tat, now):
                            return grant
                    except (nats.js.errors.NoStreamResponseError, nats.errors.NoRespondersError):
                        # The bucket is gone (a memory-stored KV does not survive a NATS restart,
                        # or an operator deleted it): create it again, once, and start over.
                        if recreated:
                            raise
                        recreated = True
                        self._kv = None
                        # Every cached TAT came from the lost bucket; they are no longer lower
                        # bounds of the store's (now empty) state.
                        for known in self._keys.values():
                            known.tat, known.revision = 0, None
                        continue
                    self.stats.cas_conflicts += 1
                return None
        except (TimeoutError, nats.errors.Error, OSError) as exc:
            # After an outage the server may be another one: re-check the bucket and re-read.
            self._kv = None
            state.revision = None
            raise _StoreError(repr(exc)) from exc

    async def _bucket_kv(self) -> KeyValue:
        if self._kv is None:
            config = KeyValueConfig(
                bucket=self._bucket,
                history=1,
                storage=StorageType.MEMORY,
                replicas=self._replicas,
                direct=True,
                description="Tidings rate limits: GCRA theoretical arrival time per key (ns)",
            )
            try:
                self._kv = await self._js.create_key_value(config)
            except nats.js.errors.BadRequestError:
                # Exists with another configuration (replicas changed by an operator): use it.
                self._kv = await self._js.key_value(self._bucket)
        return self._kv

    async def _read(self, state: _KeyState) -> None:
        kv = await self._bucket_kv()
        try:
            entry = await kv.get(state.kv_key, validate_keys=False)
        except nats.js.errors.KeyNotFoundError as exc:
            # Never written, expired, or deleted: a full bucket. Deleted/purged markers keep a
            # sequence that the next compare-and-set must name.
            state.tat = 0
            state.revision = exc.entry.revision if exc.entry is not None else 0
            return
        state.tat = int(entry.value or b"0")
        state.revision = entry.revision or 0

    async def _write(self, state: _KeyState, tat: int, now: int) -> bool:
        """Store `tat` if the key is still at `state.revision`; False if another writer won."""
        await self._bucket_kv()
        # The entry expires once the bucket is full again (TAT in the past means "never seen"), so
        # idle keys cost no memory; +1 s because Nats-TTL has whole-second resolution.
        ttl = max(1, math.ceil((tat - now) / NS_PER_SECOND)) + 1
        headers = {Header.EXPECTED_LAST_SUBJECT_SEQUENCE.value: str(state.revision or 0)}
        try:
            ack = await self._js.publish(
                self._subject_prefix + state.kv_key,
                str(tat).encode(),
                headers=headers,
                msg_ttl=ttl,
                timeout=self._store_timeout,
            )
        except nats.js.errors.APIError as exc:
            if exc.err_code in _WRONG_LAST_SEQUENCE:
                state.revision = None
                return False
            raise
        state.tat = tat
        state.revision = ack.seq
        return True
