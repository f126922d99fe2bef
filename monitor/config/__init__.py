"""What ``monitor.settings`` reads and checks, below every stage.

file.py       the TOML file: reading it, each table's keys with their lines, durations
targets.py    ``[targets]``: the Apprise URLs and each target's policy and templates
templates.py  the templates the config may override: messages and search feeds
"""
