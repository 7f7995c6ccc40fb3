"""Every page a person can reach: follow the links from the pages they start on, as they would.

Used by the secrecy and erasure tests to read everything a role sees (HTML pages, CSV and JSON
downloads, PDFs as their text) and look for what must not be there.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

from pypdf import PdfReader

START = ("/", "/account", "/admin/", "/admin/people")
_HREF = re.compile(r'<a\s[^>]*?href="([^"]+)"')
# Links that do something (sign out, switch language) or lead off the application's pages.
_SKIP = ("/static/", "/assets/", "/build/", "/logout", "/password/", "/language/")


@dataclass
class Reached:
    pages: dict[str, str] = field(default_factory=dict)   # path -> text (PDFs: extracted text)

    def containing(self, needle: str) -> list[str]:
        return [path for path, text in self.pages.items() if needle.lower() in text.lower()]


def text_of(response) -> str:
    if response.mimetype == "application/pdf":
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(response.data)).pages)
    return response.get_data(as_text=True)


def crawl(client, start=START, *, limit: int = 400) -> Reached:
    """GET every same-site page linked from ``start``, breadth first; a 500 fails at once."""
    reached = Reached()
    queue, seen = list(start), set(start)
    while queue and len(reached.pages) < limit:
        path = queue.pop(0)
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        text = text_of(response) if response.status_code == 200 else None
        response.close()
        if text is None:
            continue
        reached.pages[path] = text
        if response.mimetype != "text/html":
            continue
        for link in _HREF.findall(text):
            link = urldefrag(html.unescape(link)).url
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not link.startswith("/") or link.startswith(_SKIP):
                continue
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return reached
