"""The dashboard and the daemon's HTTP endpoints, on the ``[http] listen`` address.

server.py   aiohttp.web app: /healthz, /metrics, /calendar.ics, the token and headers
pages.py    the pages (alerts, watch, feeds, preview), Jinja2 templates in templates/
queries.py  the pages' read queries, on a read-only engine
present.py  secrets out, evidence marked, delivery states in words
timeline.py the watch page's chart of claimed dates (inline SVG)
preview.py  a watch written as text, run over stored items in a bounded worker process

It sits on top, beside the daemon and the commands: nothing below imports it.
"""
