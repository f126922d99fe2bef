"""The alert the delivery tests render and send: one watch, two sources, a timeline."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.delivery.messages import AlertView, TimelineEntry

VIEW = AlertView(
    watch="GPT-5",
    headline="GPT-5: rumored date 2025-08",
    title="GPT-5 expected to launch in August, report says",
    link="https://a.example/august",
    evidence="GPT-5 is expected to launch in August 2025, according to a report.",
    term="GPT-5",
    sources=[("Tech Wire", "https://a.example/august"), ("Actu IA", "https://b.example/gpt5")],
    signal="dated",
    dates=("2025-08",),
    timeline=[
        TimelineEntry(datetime(2025, 6, 2, tzinfo=UTC), ("2025-06",), True, False, "Tech Wire"),
        TimelineEntry(datetime(2025, 8, 1, tzinfo=UTC), ("2025-08",), True, False, "Actu IA"),
    ],
)
