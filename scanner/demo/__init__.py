"""``scan demo``: the whole product on bundled pages of a fictional company.

``corpus`` holds the posts and what was planted in them, ``pages`` renders them in
each source's real page format, ``server`` serves those pages on loopback, and
``run`` crawls them with the real spiders and pipeline, groups and reports.
"""
