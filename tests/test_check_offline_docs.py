"""The CI check that the built docs load nothing from the network."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / ".ci" / "check_offline_docs.py"


@pytest.fixture(scope="module")
def checker():
    spec = importlib.util.spec_from_file_location("check_offline_docs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _site(tmp_path, page, css=""):
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "local.js").write_text("")
    (tmp_path / "_static" / "theme.css").write_text(css)
    (tmp_path / "index.html").write_text(f"<html><head>{page}</head></html>")
    return tmp_path


def test_a_site_that_loads_only_its_own_files_passes(checker, tmp_path):
    site = _site(
        tmp_path,
        '<script src="_static/local.js?v=1"></script>'
        '<link rel="stylesheet" href="_static/theme.css">'
        '<link rel="canonical" href="https://example.org/index.html">'
        '<a href="https://scikit-learn.org/">a link to follow</a>',
        css="/* https://fontawesome.com */ .x { background: url(data:image/png;"
        "base64,AAAA) } @font-face { src: url('../fonts/a.woff2') }",
    )
    assert checker.check(site) == []
    assert checker.main(["check", str(site)]) == 0


@pytest.mark.parametrize(
    "page",
    [
        '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js">'
        "</script>",
        '<link rel="stylesheet" href="http://fonts.example.org/a.css">',
        '<link rel="preload" as="font" href="//cdn.example.org/font.woff2">',
        '<img src="https://img.shields.io/badge.svg">',
        "<style>@import 'https://fonts.example.org/css';</style>",
        '<div style="background: url(https://example.org/a.png)"></div>',
    ],
)
def test_a_page_that_loads_from_the_network_fails(checker, tmp_path, page):
    site = _site(tmp_path, page)
    problems = checker.check(site)
    assert len(problems) == 1 and problems[0].startswith("index.html")
    assert checker.main(["check", str(site)]) == 1


def test_a_stylesheet_that_loads_from_the_network_fails(checker, tmp_path):
    site = _site(tmp_path, "", css="@import url(https://fonts.example.org/x.css);")
    assert checker.check(site) == [
        "_static/theme.css: loads https://fonts.example.org/x.css"
    ]


def test_a_local_script_missing_from_the_build_fails(checker, tmp_path):
    site = _site(tmp_path, '<script src="_static/mathjax/tex-chtml.js"></script>')
    assert checker.check(site) == [
        "index.html: <script> _static/mathjax/tex-chtml.js is missing from the build"
    ]


def test_an_empty_directory_fails(checker, tmp_path):
    assert checker.main(["check", str(tmp_path)]) == 1
