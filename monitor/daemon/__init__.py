"""The daemon: what runs ``monitor run`` around the pipeline.

core.py              the daemon's parts and state; one cycle (run --once), reload, close
scheduler.py         APScheduler wiring: the poll, delivery and maintenance jobs; stop
inputs.py            the watchlist files' signature and the targets' check (start, reload)
startup.py           the start line
systemd.py           sd_notify READY/STOPPING/WATCHDOG; no-op without NOTIFY_SOCKET
db_outage.py         waiting out a database that cannot be reached
shutdown.py          stopping within the deadline whatever a job does
loop_lag.py          how late the event loop runs its callbacks
full_collections.py  full garbage collections wait until no feed is being polled

Its metrics and status are ``monitor.web.health``'s, served by ``monitor.web``.
"""
