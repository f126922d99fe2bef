"""The dashboard and the daemon's HTTP endpoints, on the ``[http] listen`` address.

server.py   aiohttp.web app: /healthz, /metrics, /calendar.ics, the token and headers
health.py   Prometheus metrics and the daemon's status, which /healthz and the pages show
pages.py    the pages (alerts, watch, feeds, preview), Jinja2 templates in templates/
queries.py  the pages' read queries, on a read-only engine
present.py  secrets out, evidence marked, delivery states in words
timeline.py the watch page's chart of claimed dates (inline SVG)
preview.py  a watch written as text, run over stored items in a bounded worker process

The daemon starts it (``monitor.daemon``) and owns its metrics; it imports nothing above
it. ``/calendar.ics`` is ``monitor.calendar``'s, as ``monitor calendar`` prints it.
"""
