"""Fail when a built documentation page would load anything from the network.

Usage::

    python .ci/check_offline_docs.py docs/_build/html

A reader on a plane must see the same pages as one online, formulas included.
This script reads every HTML page and every CSS file of the built site and
reports:

- a ``<script src>``, ``<link href>`` (stylesheets, fonts, icons, preloads),
  ``<img src>``, ``<iframe src>``, ``<source src>``, ``<video src>``,
  ``<audio src>``, ``<embed src>`` or ``<object data>`` whose address is on
  the network (``http://``, ``https://`` or protocol-relative ``//``);
- an ``@import`` or ``url(...)`` on the network, in a CSS file, a ``<style>``
  element or a ``style`` attribute;
- a script or stylesheet given by a local path that is not in the build (the
  page would silently miss it: for example MathJax, which the build copies in
  at its very end).

Links a reader follows (``<a href>``, ``<link rel="canonical">`` and the like)
load nothing and are allowed. Exit status 0 when nothing is found, 1 otherwise.
"""

import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# <link rel=...> values that only name another page: following them is the
# reader's choice, the browser loads nothing.
NAVIGATION_RELS = {
    "alternate",
    "author",
    "canonical",
    "copyright",
    "help",
    "index",
    "license",
    "next",
    "prev",
    "search",
    "top",
    "up",
}
# The attribute of each tag that makes the browser fetch something.
LOADING_ATTRIBUTES = {
    "script": "src",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
    "embed": "src",
    "object": "data",
    "link": "href",
}
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
CSS_URL = re.compile(
    r"""url\(\s*(['"]?)(?P<url>[^'")]*)\1\s*\)|@import\s+(['"])(?P<imp>[^'"]*)\3""",
    re.IGNORECASE,
)


def is_remote(url):
    """Whether the browser would fetch ``url`` from the network."""
    url = url.strip().lower()
    return url.startswith(("http://", "https://", "//"))


def remote_urls_in_css(text):
    """The network addresses that CSS ``text`` imports or loads."""
    text = CSS_COMMENT.sub("", text)
    found = []
    for match in CSS_URL.finditer(text):
        url = match.group("url") or match.group("imp") or ""
        if is_remote(url):
            found.append(url.strip())
    return found


class _PageScanner(HTMLParser):
    """Collects what one page loads: (tag, address) pairs and inline CSS."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.loads = []  # (description, url)
        self.inline_css = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if "style" in attrs:
            self.inline_css.append(attrs["style"])
        if tag == "style":
            self._in_style = True
        attribute = LOADING_ATTRIBUTES.get(tag)
        if attribute is None or not attrs.get(attribute):
            return
        if tag == "link":
            rels = set(attrs.get("rel", "").lower().split())
            if rels and rels <= NAVIGATION_RELS:
                return
            what = f'<link rel="{attrs.get("rel", "")}">'
        else:
            what = f"<{tag}>"
        self.loads.append((what, attrs[attribute]))

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.inline_css.append(data)


def _local_target(page, url, root):
    """The file a relative ``url`` of ``page`` points at, or None."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None  # data:, javascript:, a bare "#anchor" or "?query"
    path = unquote(parts.path)
    if path.startswith("/"):
        return root / path.lstrip("/")
    return page.parent / path


def check(root):
    """Return the problems found under the built site ``root``, one a line."""
    root = Path(root)
    # HTML files under _static/ are assets the theme copies along (templates,
    # for instance), not pages a reader opens.
    pages = sorted(page for page in root.rglob("*.html") if "_static" not in page.parts)
    if not pages:
        return [f"{root}: no HTML pages found (was the site built?)"]
    problems = []
    for page in pages:
        name = page.relative_to(root)
        scanner = _PageScanner()
        scanner.feed(page.read_text(encoding="utf-8", errors="replace"))
        for what, url in scanner.loads:
            if is_remote(url):
                problems.append(f"{name}: {what} loads {url}")
                continue
            if what in ("<script>", '<link rel="stylesheet">'):
                target = _local_target(page, url, root)
                if target is not None and not target.is_file():
                    problems.append(f"{name}: {what} {url} is missing from the build")
        for css in scanner.inline_css:
            for url in remote_urls_in_css(css):
                problems.append(f"{name}: inline CSS loads {url}")
    for sheet in sorted(root.rglob("*.css")):
        text = sheet.read_text(encoding="utf-8", errors="replace")
        for url in remote_urls_in_css(text):
            problems.append(f"{sheet.relative_to(root)}: loads {url}")
    return problems


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0])
        print(f"usage: python {argv[0]} BUILT_HTML_DIR")
        return 2
    root = Path(argv[1])
    problems = check(root)
    n_pages = sum(1 for page in root.rglob("*.html") if "_static" not in page.parts)
    n_sheets = sum(1 for _ in root.rglob("*.css"))
    if problems:
        print(f"{len(problems)} network load(s) or missing file(s) in {root}:")
        for problem in problems:
            print(f"  {problem}")
        return 1
    print(
        f"Offline check: {n_pages} HTML pages and {n_sheets} stylesheets under "
        f"{root} load nothing from the network."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
