"""The Alphabetic Index walk: main term from the mention, subterms from the modifiers on its line."""

import pytest

from cac.coding.index_walk import IndexTree, context_words


@pytest.fixture(scope="module")
def tree(store, imported):
    if not store.active_release("ICD-10-CM index"):
        pytest.skip("the Alphabetic Index is not imported (needs ../shared/data)")
    return IndexTree(store)


@pytest.mark.parametrize(
    ("mention", "line", "code"),
    [
        ("diverticulosis", "Diverticulosis of the sigmoid colon without bleeding.", "K57.30"),
        ("diverticulosis", "Diverticulosis of the colon with bleeding.", "K57.31"),
        ("pneumonia", "Community acquired pneumonia due to Streptococcus pneumoniae", "J13"),
        ("calculus", "Obstructing left ureteral calculus with hydronephrosis", "N13.2"),
        ("heart attack", "Heart attack last night", "I21.9"),
    ],
)
def test_walk_uses_the_modifiers_on_the_line(tree, mention, line, code):
    result = tree.walk(context_words(mention), context_words(line))
    assert result is not None and result.code == code, result


def test_negated_modifiers_do_not_count(tree):
    assert "bleed" not in context_words("no bleeding")
    result = tree.walk(context_words("diverticulosis"), context_words("Diverticulosis, no bleeding"))
    assert result is not None and result.code != "K57.91"
