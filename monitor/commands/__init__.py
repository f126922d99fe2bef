"""The commands of SPEC.md other than ``run``, one module each; ``monitor.cli`` only parses
arguments and calls them.

    scan.py       parse, match and classify feeds from files or URLs; no database
    reports.py    read-only commands over the database: alerts, status, replay, calendar
                  (the iCalendar itself is ``monitor.calendar``'s)
    demo.py       the whole daemon, offline, on bundled sample feeds
    init.py       a commented config and the bundled watchlists, ready to edit
    feeds.py      OPML export and import of the feeds polled (opml.py reads and writes it)
    arguments.py  the arguments of ``init`` and ``feeds``
"""
