"""A real sync server process for the client tests, with a test-only ASGI layer that can kill the process.

    python tests/sync/faulty_server.py DATABASE_URL PORT PLAN_FILE

PLAN_FILE (JSON, re-read on every request, may be absent) says when to die: {"push": N} kills the process when
the Nth push since the plan was written has committed and is about to answer; {"pull": N} kills it as the Nth
pull is about to answer.
The process dies with os._exit, as a crash or a pulled plug would: no reply, no clean-up.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import uvicorn

from sync.server.app import create_app


class KillSwitch:
    def __init__(self, app: Any, plan_file: Path) -> None:
        self.app = app
        self.plan_file = plan_file
        self.counts = {"push": 0, "pull": 0}
        self.plan_text = ""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        kind = None
        if scope["type"] == "http":
            path = scope["path"]
            kind = "push" if path.endswith("/sync/push") else "pull" if path.endswith("/sync/pull") else None
        if kind is None:
            await self.app(scope, receive, send)
            return
        try:
            text = self.plan_file.read_text()
            plan = json.loads(text)
        except (OSError, ValueError):
            text, plan = "", {}
        if text != self.plan_text:  # a new plan counts from now
            self.plan_text, self.counts = text, {"push": 0, "pull": 0}
        self.counts[kind] += 1
        if plan.get(kind) != self.counts[kind]:
            await self.app(scope, receive, send)
            return

        async def die_before_answering(message: Any) -> None:
            if message["type"] == "http.response.start":
                os._exit(17)  # the handler has committed; the client never hears about it
            await send(message)

        await self.app(scope, receive, die_before_answering)


def main() -> None:
    url, port, plan = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    app = KillSwitch(create_app(url), plan)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
