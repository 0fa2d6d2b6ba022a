"""Replay stored events in publish order, page by page, from a cursor (or from the oldest).

python sdks/python/examples/replay.py ['orders.>'] [--after CURSOR]
"""

from __future__ import annotations

import argparse
import asyncio

from _env import client, project_id


async def main(pattern: str, after: str | None) -> None:
    async with client() as sdk:
        project = await project_id(sdk)
        last = after
        count = 0
        async for event in sdk.replay(project, topic=pattern, after=after, page_size=100):
            print(f"{event['published_at']}  {event['topic']}  {event['data']}")
            last = event["cursor"]
            count += 1
        # The next run with `--after` this cursor prints only what was published since.
        print(f"{count} events; continue with --after {last}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("pattern", nargs="?", default=">")
    parser.add_argument("--after")
    args = parser.parse_args()
    asyncio.run(main(args.pattern, args.after))
