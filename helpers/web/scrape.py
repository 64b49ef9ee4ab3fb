"""A scraper for the satellites web page: what an API spares you (it breaks when the page is redesigned)."""
from html.parser import HTMLParser

import requests

from helpers.core.errors import ServiceError


class Cells(HTMLParser):
    """Collects the text of every <td class="name"> and <td class="launched"> in page order."""

    def __init__(self):
        super().__init__()
        self.names, self.years, self._into = [], [], None

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class")
        self._into = {"name": self.names, "launched": self.years}.get(cls) if tag == "td" else None

    def handle_data(self, data):
        if self._into is not None:
            self._into.append(data)
            self._into = None


def scrape_launch_years(base_url):
    """{satellite name: launch year} read off the web page at base_url/satellites.html."""
    page = requests.get(f"{base_url}/satellites.html", timeout=5)
    page.raise_for_status()
    cells = Cells()
    cells.feed(page.text)
    if not cells.years:
        raise ServiceError('the page has no <td class="launched"> cells any more: the site was redesigned, '
                           "and this scraper must be rewritten")
    return dict(zip(cells.names, map(int, cells.years)))
