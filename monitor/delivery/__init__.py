"""Delivery: stored alerts out to their targets.

outbox.py    send pending deliveries from the store's outbox, retry, give up, report
policy.py    each target's policy: instant, digest, quiet hours, rate limit
messages.py  an alert as a message: the view, the templates, Markdown or text
notifier.py  Apprise: one send per target, its tri-state result as an outcome
"""
