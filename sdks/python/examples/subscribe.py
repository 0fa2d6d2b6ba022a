"""Receive events live: WebSocket, or Server-Sent Events when the WebSocket cannot connect.

    python sdks/python/examples/subscribe.py ['orders.>'] [--from CURSOR] [--transport auto|websocket|sse]

Stop it and start it again with `--from <the last cursor printed>`: it continues exactly there.
While it runs, stop and restart the server: it reconnects and misses nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from typing import cast

from _env import client, project_id

from tidings.realtime import Transport


async def main(pattern: str, cursor: str | None, transport: Transport) -> None:
    async with client() as sdk:
        project = await project_id(sdk)
        async with sdk.realtime(project, transport=transport) as rt:
            sub = await rt.subscribe(pattern, cursor=cursor)
            print(f"subscribed to {pattern!r} over {rt.transport}; publish with examples/publish.py")
            async for item in sub:
                if item["type"] == "reset":
                    # Events between our cursor and `oldest_cursor` were removed by retention:
                    # nothing to replay for them; refetch whatever state they would have built.
                    print(f"reset ({item['reason']}): continuing from {item['oldest_cursor']}")
                    continue
                print(f"{item['topic']}  {item['data']}  cursor={item['cursor']}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("pattern", nargs="?", default="orders.>")
    parser.add_argument("--from", dest="cursor")
    parser.add_argument("--transport", choices=["auto", "websocket", "sse"], default="auto")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(args.pattern, args.cursor, cast(Transport, args.transport)))
