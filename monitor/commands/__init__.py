"""Commands that set things up around the daemon rather than run it: ``init`` and ``feeds``.

Each module holds one command's work; ``monitor.cli`` only parses arguments and calls it.
"""
