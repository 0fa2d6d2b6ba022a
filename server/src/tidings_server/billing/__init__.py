"""Metering, plans and limits, the kill switch, trials, Stripe billing and webhooks.

metering.py   in-process usage counters (lock-free) flushed to the PostgreSQL ledger
ledger.py     reads of the ledger: daily buckets, period totals
plans.py      plans and their limits, cached on every node (`connection_limit`)
quota.py      monthly allowances that hold across nodes (leases of a PostgreSQL counter)
status.py     tenant/project status changes (kill switch, dunning, trials), audited, announced
sweeper.py    trials that ended and payment grace that ran out → suspended
stripe_api.py the Stripe calls: customers, Billing Meter events, Checkout and Portal links
reporter.py   ledger → Stripe meter events, exactly once, with backoff
webhooks.py   Stripe webhooks: signature, exactly-once processing, status transitions
service.py    `BillingService`, what the server (and the gateway) calls
errors.py     the package's errors and their registry codes
"""

from tidings_server.billing.service import Admission, BillingService, check_project_limit

__all__ = ["Admission", "BillingService", "check_project_limit"]
