"""Entry point: `python -m services.parsing FILE...` (tools outside the project call it by this name).

The contract and the code are in `services.reading.parsing`. A command that reads a
few files and exits forks its own limited child per file (services.reading.forked)
rather than starting the portal's fork server, which would import the readers a
second time in a second interpreter.
"""

if __name__ == "__main__":
    import os
    import sys

    from services.config import load_parse_limits
    from services.reading.forked import ForkedWorker
    from services.reading.parsing import main

    code = main(pool=ForkedWorker(load_parse_limits()))
    sys.stdout.flush()
    # Nothing is left to clean up: the interpreter's own teardown of every loaded module
    # would be a twentieth of the command's time.
    os._exit(code)
