"""Text as it comes from the web: cleaned, dated, its language told, matched, made safe.

- ``clean``: the one stored form of every text field (HTML to text, NFC, controls out).
- ``safe``: hostile text made safe for a terminal, HTML, Markdown and CSV.
- ``dates``: absolute, relative and localised dates to UTC.
- ``language``: the language of a post.
- ``matching``: whether a post is about the company (its names and aliases, any script).
"""
