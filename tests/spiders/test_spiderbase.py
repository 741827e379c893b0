"""Every spider says at start what it needs, before `scan crawl` schedules it."""

from __future__ import annotations

import pytest

from scanner.spiders.bbb import BbbSpider
from scanner.spiders.complaintsboard import ComplaintsboardSpider
from scanner.spiders.pissedconsumer import PissedconsumerSpider
from scanner.spiders.sitejabber import SitejabberSpider


@pytest.mark.parametrize(
    "spider", [BbbSpider, ComplaintsboardSpider, PissedconsumerSpider, SitejabberSpider]
)
def test_a_spider_without_a_start_url_is_refused_at_start(spider):
    with pytest.raises(ValueError, match=f"the {spider.name} spider needs a start `url`"):
        spider.check_arguments(source="x")
    spider.check_arguments(source="x", url="https://example.test/acme")  # no error


def test_a_jsonld_type_that_is_no_name_names_nothing() -> None:
    """Sitejabber's page with "@type": [{}] raised "unhashable type" and lost the page."""
    from scanner.spiders.pageparts import types_of

    assert types_of({"@type": [{}]}) == set()
    assert types_of({"@type": ["Review", {}, 3]}) == {"Review"}
    assert types_of({"@type": "Review"}) == {"Review"} and types_of({}) == set()
