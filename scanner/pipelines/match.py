"""Third stage: which company a post is about; posts about none of them are dropped.

Sources about the company by construction (its review page) keep every post.
General sources (feeds, forums, search results) keep only posts that mention the
company or an alias as a word (``scanner.matching``); the source's ``company``
key pins which company that must be.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from scanner.crawlstate import SourceState
from scanner.matching import CompanyMatcher
from scanner.pipelines import drop


class CompanyMatchPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        state = SourceState.of(crawler)
        config, source = state.config, state.source_config
        self.pinned = source.company if source else None
        self.company = config.company_named(self.pinned).name
        configured = source.about_company if source else None
        self.about_company: bool | None = configured
        self.spider_about = bool(getattr(crawler.spider, "about_company", False))
        self.matcher = CompanyMatcher(config.companies)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CompanyMatchPipeline:
        return cls(crawler)

    def process_item(self, row: dict[str, Any]) -> dict[str, Any]:
        about = self.about_company
        if about is None:
            about = bool(row.get("about_company")) or self.spider_about
        if about:
            row["company"] = self.company
            return row
        company = self.matcher.match(row.get("title"), row["text"], only=self.pinned)
        if company is None:
            raise drop(self.crawler, "off-topic", row["external_id"], quiet=True)
        row["company"] = company
        return row
