"""``python -m tests.emulator [--host H] [--port P] [--port-file F] [--<timing>-seconds N]``"""
import argparse
import os
import signal
import sys

from . import state


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("EMULATOR_PORT", 0)),
                        help="0 picks a free port")
    parser.add_argument("--port-file", help="write the bound port here once listening")
    for key, default in state.TIMING_DEFAULTS.items():
        parser.add_argument("--" + key.replace("_", "-"), type=float, dest=key,
                            help="default %s (env EMULATOR_%s)" % (default, key.upper()))
    args = parser.parse_args(argv)
    state.TIMING.update({k: getattr(args, k) for k in state.TIMING_DEFAULTS if getattr(args, k) is not None})
    state.TIMING.mark_startup()

    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    from .app import build_app

    server = make_server(args.host, args.port, build_app(), threaded=True, request_handler=MotoRequestHandler)
    port = server.server_port
    state.ENDPOINT["url"] = "http://%s:%d" % (args.host, port)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as handle:
            handle.write(str(port))
        os.replace(tmp, args.port_file)
    print("emulator listening on http://%s:%d" % (args.host, port), flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
