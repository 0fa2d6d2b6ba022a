"""Rate limits per API key and per tenant, held across processes and nodes.

Pieces::

    core.py    pure GCRA on integer nanoseconds, clock injected (Decision, reserve, Buckets)
    base.py    RateLimiter (typing.Protocol) with its guarantees; most_restrictive()
    local.py   LocalRateLimiter: exact, one process, no I/O
    shared.py  SharedRateLimiter: GCRA state in NATS JetStream KV, spent through local leases
    keys.py    limiter keys (`tenant:<id>`, `key:<key id>`) and their valid NATS KV key names
    errors.py  RateLimitError > InvalidLimitError > CostExceedsBurstError

Semantics: GCRA with `rate` cells per second and `burst` cells at once (a token bucket that starts
full); a hit spends `cost` cells (a batch of N events may cost N). The `Decision` carries allowed,
limit, remaining, reset_after, retry_after and renders `RateLimit-Limit`, `RateLimit-Remaining`,
`RateLimit-Reset` and `Retry-After` (`Decision.headers()`).

Design, chosen by measurement (`loadtests/ratelimit/bench_ratelimit.py`, `loadtests/RESULTS.md`;
2 shared cores, one local nats-server, Python 3.11):

- Every hit as one compare-and-set on the key's TAT in JetStream KV (`lease_seconds=0`) is exact but
  costs a round trip: 236 µs p50, 1,991 µs p99 per check.
- The default hybrid reserves a lease of L = min(rate x 20 ms, burst / 10) cells in one
  compare-and-set, spends it locally, tops it up in the background when half spent, and refuses
  without I/O when its last view of the shared TAT already refuses (the stored TAT only grows, so
  that view is a lower bound). Measured: 4.5 µs p50, 6.7 µs p99 per check, the same as the purely
  local limiter (3.7 / 7.3 µs); 5 store round trips for 50,000 hits.

Precision (N processes on any number of nodes, one key):

- Never above the rate in the long run, and never above `burst + rate * t` over a run that starts
  with a full bucket: every admitted cell was first reserved by compare-and-set in the one shared
  GCRA state. Measured while hammering rate 500/s burst 100 for 2 s: 2 processes admitted
  1,098 / 1,100 ideal, 4 processes 1,099 / 1,100; the worst 0.1 s and 1 s windows were at or
  below `burst + rate * w` (excess 0).
- In an arbitrary window of t seconds: at most `burst + rate * t + N * L` cells. The slack is
  cells leased before the window and spent inside it; each process holds at most L unspent
  (beyond cells reserved for hits already queued, which are spent at once). Example: rate 500,
  burst 100 gives L = 10, so 4 processes can exceed a window by at most 40 cells. A saturated
  key rarely shows it (the bucket refills one cell at a time, so leases shrink to single cells).
  With `lease_seconds=0` the slack is 0.
- Under-admission: at most N * L cells sit in leases of processes that stop hitting the key;
  they are dropped after 1 s (LEASE_TTL_SECONDS), not returned.
- The TAT is wall-clock nanoseconds: a node whose clock is d seconds ahead can admit up to
  `rate * d` extra cells. Nodes must run NTP (milliseconds of skew are a cell or two at
  hundreds of requests per second).
- `Decision.remaining` from the shared limiter is an estimate (the last view plus the lease);
  `allowed` is what the guarantees above are about.

NATS unreachable: fail open to a per-process limit. While the connection is down, or for 1 s
after a store operation failed or took over 0.5 s, hits are answered by a `LocalRateLimiter` with
the same rate and burst, so N processes admit up to N times the limit for the outage; no hit
raises or waits more than one store timeout. The KV bucket is memory-stored (rate state is
ephemeral): after a single-node NATS restart every bucket starts full again, and the limiter
recreates the bucket by itself.
"""

from tidings_server.ratelimit.base import RateLimiter, most_restrictive
from tidings_server.ratelimit.core import Buckets, Clock, Decision, Grant, decide, reserve
from tidings_server.ratelimit.errors import CostExceedsBurstError, InvalidLimitError, RateLimitError
from tidings_server.ratelimit.keys import api_key_scope, kv_key, tenant_scope
from tidings_server.ratelimit.local import LocalRateLimiter
from tidings_server.ratelimit.shared import SharedRateLimiter, SharedStats, lease_size

__all__ = [
    "Buckets",
    "Clock",
    "CostExceedsBurstError",
    "Decision",
    "Grant",
    "InvalidLimitError",
    "LocalRateLimiter",
    "RateLimitError",
    "RateLimiter",
    "SharedRateLimiter",
    "SharedStats",
    "api_key_scope",
    "decide",
    "kv_key",
    "lease_size",
    "most_restrictive",
    "reserve",
    "tenant_scope",
]
