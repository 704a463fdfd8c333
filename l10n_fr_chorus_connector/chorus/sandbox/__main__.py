"""CLI: ``python -m chorus.sandbox --host 127.0.0.1 --port 8765 --db /tmp/chorus.sqlite3``."""

import argparse
import sys
import threading

from . import directory as d
from .emulator import Emulator
from .server import is_loopback, serve


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m chorus.sandbox",
                                     description="Chorus Pro (PISTE) emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--db", default=":memory:",
                        help="SQLite file (default: in memory, lost on exit)")
    parser.add_argument("--allow-remote", action="store_true",
                        help="allow listening on a non-loopback address")
    parser.add_argument("--no-control-api", action="store_true",
                        help="disable the /_sandbox/ control endpoints")
    return parser.parse_args(argv)


def banner(server) -> str:
    """What to print once the server listens."""
    return "\n".join([
        "Chorus Pro emulator listening",
        f"  API base URL : {server.base_url}   (operations at /cpro/<api>/v1/<op>)",
        f"  Token URL    : {server.token_url}",
        f"  client_id    : {d.DEMO_CLIENT_ID}",
        f"  client_secret: {d.DEMO_CLIENT_SECRET}",
        f"  login        : {d.DEMO_LOGIN}",
        f"  password     : {d.DEMO_PASSWORD}",
        f"  supplier     : {d.SUPPLIER_NAME} SIRET {d.SUPPLIER_SIRET} "
        f"idStructureCPP {d.SUPPLIER_ID}",
        f"  control API  : {server.base_url}/_sandbox/state",
        "Press Ctrl-C to stop.",
    ])


def main(argv=None) -> int:
    """Serve until interrupted."""
    args = parse_args(argv)
    if not args.allow_remote and not is_loopback(args.host):
        print(f"Refusing non-loopback host {args.host!r}; add --allow-remote to force.",
              file=sys.stderr)
        return 2
    emulator = Emulator(args.db, control_api=not args.no_control_api)
    server = serve(emulator, args.host, args.port, allow_remote=args.allow_remote)
    print(banner(server), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        emulator.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
