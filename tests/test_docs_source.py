"""The reStructuredText sources of the docs render as written, and the
``>>>`` examples of the user guide's classification page run."""

import doctest
import re
import warnings
from pathlib import Path

from sklearn.exceptions import ConvergenceWarning

DOCS = Path(__file__).parents[1] / "docs"

# A list item or table cell that starts with "(b) " is read by docutils as
# an enumerated list: the page shows "b." and loses the label the text
# refers to. Written "\(b) " it stays "(b)".
_LABEL_READ_AS_ENUMERATION = re.compile(r"^\s*(\* )?- \([a-z]\) ")


def test_labels_at_the_start_of_list_items_are_escaped():
    sources = [path for path in DOCS.rglob("*.rst") if "_build" not in path.parts]
    assert sources, f"no .rst files under {DOCS}"
    unescaped = [
        f"{path.relative_to(DOCS)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if _LABEL_READ_AS_ENUMERATION.match(line)
    ]
    assert not unescaped, "write \\(b) for a label:\n" + "\n".join(unescaped)


def test_classification_page_examples_run():
    """Every ``>>>`` line of the classification page runs and prints what the
    page shows (the page's numbers and shapes come from this run)."""
    page = DOCS / "user_guide" / "classification.rst"
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        failures, attempted = doctest.testfile(
            str(page),
            module_relative=False,
            optionflags=doctest.NORMALIZE_WHITESPACE,
            verbose=False,
            report=True,
        )
    assert attempted > 20
    assert failures == 0, f"{failures} of the page's >>> examples failed"
