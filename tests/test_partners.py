"""Partners, funders, budget and participants read from the fiche's text."""

import pytest

from indexer.partners import funders, normalized_partners, parse_budget, parse_participants


@pytest.mark.parametrize("text, euros", [
    ("Budget global : 4 500 €", 4500), ("1200€", 1200), ("800 euros", 800), ("4,5 k€", 4500),
    ("Total Charges : 8.310 €\n- Achats : 590 €", 8310), ("Bilan 2014\nCAF : 730€\nVille : 2 000 €", 2000),
    ("Aucun budget", None), ("adhésion de 7€ par famille", None), ("", None),
])
def test_budget_in_euros(text, euros):
    assert parse_budget(text) == euros


@pytest.mark.parametrize("text, count", [
    ("32 personnes", 32), ("5 agents\n4 bénévoles\net 1 ou 2 intervenants extérieurs", 11),
    ("professionnels: 4\nUsagers: groupe de 10 à 15 personnes", 19), ("Une vingtaine de personnes", 20),
    ("5 salariés\nL'ensemble de l'équipe, soit 12 personnes", 12), ("15 familles dont 10 nouvelles", 15),
    ("variable selon projets", None),
])
def test_participants(text, count):
    assert parse_participants(text) == count


def test_partners_are_normalised():
    assert normalized_partners(["Conseil général", "Mairie de Rezé", "caf", "Pôle emploi", "UDAF"]) == [
        "Conseil départemental", "Mairie / Ville", "CAF", "France Travail (Pôle emploi)", "UDAF"]
    assert normalized_partners(["Communauté de communes"]) == ["Intercommunalité"]


def test_funders_from_the_resources_text():
    text = "Budget global : 7668€\nFinancements :\nCarsat :3640€\nConseil Départementalm : 3298 €\nCAF : 730€"
    assert funders(text) == ["CAF", "CARSAT", "Conseil départemental"]
    assert funders("subventionné par le FiPD et la commune") == ["Mairie / Ville", "État / politique de la ville"]
    assert funders("Le budget est celui du secteur famille.") == []
