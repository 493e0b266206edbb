"""Entry point: `python -m services.parsing FILE...` (tools outside the project call it by this name).

The contract and the code are in `services.lists.parsing`; this module only starts the
worker first, so that its imports overlap ours, then runs it.
"""

if __name__ == "__main__":
    import sys

    from services.lists import early

    early.spawn_worker()

    from services.lists.parsing import main

    sys.exit(main())
