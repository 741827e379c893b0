"""Issues: grievance themes above near-duplicate clusters (issue 9).

Near-duplicate clusters find people who copy each other; real people rarely
do. Two hundred people upset by one age check write two hundred different
reviews, and what they share is a distinctive phrase: "age verification",
"verify my age", "ID", "selfie". An issue is such a theme, named by its key
phrase and found per company from its grievances (``discover``), or pinned by
the user in ``rules/issues.toml``. A grievance may belong to several issues.

- ``tokens``: Unicode-correct words and light stems (Indic scripts included).
- ``lexicon``: stop, sentiment and generic words; phrases as stem windows.
- ``keyness``: candidate phrases by log-likelihood against the background.
- ``discover``: candidates to issues, issues to member grievances.
- ``names``: how people write each phrase.
- ``store``: ``run(store, config)``, stable ids and the ``runs`` row.
- ``view``: issues as the report shows them (verdict, trend, examples).
"""

from __future__ import annotations

from scanner.issues.discover import Discovery, FoundIssue, Grievance, discover
from scanner.issues.lexicon import Lexicon
from scanner.issues.settings import IssueParams, IssueRules, PinnedIssue, load_issue_rules

__all__ = [
    "Discovery",
    "FoundIssue",
    "Grievance",
    "IssueParams",
    "IssueRules",
    "Lexicon",
    "PinnedIssue",
    "discover",
    "load_issue_rules",
]
