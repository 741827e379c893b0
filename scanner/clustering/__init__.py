"""``scan cluster``: the grouping engine (``scanner.grouping``) run against the store.

- ``run``: each company's grievances grouped, night by night or from scratch.
- ``settings``: ``rules/grouping.toml`` read into the engine's parameters.
- ``store``: what clustering reads from SQLite (texts, the stored index).
- ``write`` / ``append``: a rebuild's and a night's clusters written back.
- ``progress``: the stages shown on a terminal.
"""
