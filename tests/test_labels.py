"""Display labels of facet values."""

from search_app.labels import value_label


def test_labels_capitalise_words_fix_the_typo_and_show_the_code():
    assert value_label("public", "familles") == "Familles"
    assert value_label("dimension", "Viellissement") == "Vieillissement"
    assert value_label("department", "Somme") == "Somme (80)"
    assert value_label("year", "2015") == "2015"


def test_labels_leave_anything_but_words_as_stored():
    assert value_label("keyword", "javascript:alert(1)") == "javascript:alert(1)"
    assert value_label("keyword", "<b>x</b>") == "<b>x</b>"
