"""``python -m tests.emulator.run [--port P] [--timing key=value ...] -- command ...``

Starts the emulator, runs the command with boto3 pointed at it (AWS_ENDPOINT_URL,
dummy credentials, EMULATOR_ENDPOINT), and stops the emulator whatever happens.
Exits with the command's exit code.
"""
import argparse
import os
import subprocess
import sys

from .client import EmulatorProcess


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.emulator.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", default=None, help="emulator log file")
    parser.add_argument("--timing", action="append", default=[], metavar="KEY=SECONDS")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    timing = dict(item.split("=", 1) for item in args.timing)
    emulator = EmulatorProcess(port=args.port, timing=timing, log_path=args.log)
    emulator.start()
    print("emulator: %s (log %s)" % (emulator.endpoint, args.log or "in a temporary folder"), flush=True)
    try:
        env = dict(os.environ, **emulator.env(os.environ.get("AWS_DEFAULT_REGION", "us-west-2")))
        return subprocess.call(command, env=env)
    finally:
        emulator.stop()


if __name__ == "__main__":
    sys.exit(main())
