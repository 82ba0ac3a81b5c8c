"""``python -m sandbox [--port N] [--scale N] [--log FILE]``: serve the sample web in the foreground."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from .server import serve_forever


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--scale", type=int, default=40)
    parser.add_argument("--log", type=Path, default=None, help="append the request log (JSON lines) here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    serve_forever(args.host, args.port, args.scale, args.log)


if __name__ == "__main__":
    main()
