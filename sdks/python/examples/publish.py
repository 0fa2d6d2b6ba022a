"""Publish events: one, then a batch, each with an idempotency key so a retry never duplicates.

python sdks/python/examples/publish.py [count]
"""

from __future__ import annotations

import asyncio
import sys

from _env import client, project_id


async def main(count: int) -> None:
    async with client() as sdk:
        project = await project_id(sdk)
        # The key names the business fact: publishing it again (a retry, a restarted process)
        # is answered with the original event (`duplicate: true`), not stored twice.
        one = await sdk.publish_event(
            project, {"topic": "orders.created", "data": {"order": 42}}, idempotency_key="order-42-created"
        )
        print(f"published {one['id']} at {one['cursor']} (duplicate: {one['duplicate']})")
        batch = await sdk.publish_events(
            project,
            {"events": [{"topic": "orders.updated", "data": {"order": 42, "step": n}} for n in range(count)]},
        )
        print(f"published a batch of {len(batch['items'])}, last cursor {batch['items'][-1]['cursor']}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
