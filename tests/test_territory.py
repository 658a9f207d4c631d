"""The official list of départements and régions, and how typed names and codes resolve."""

from indexer.territory import (DEPARTEMENTS, REGIONS, canonical_departement, canonical_region,
                               closest_departements, departement_label, region_of)


def test_official_list_has_101_departements_in_18_regions():
    assert len(DEPARTEMENTS) == 101 and len({d.code for d in DEPARTEMENTS}) == 101
    assert len(REGIONS) == 18 and {d.region for d in DEPARTEMENTS} == set(REGIONS)
    codes = {d.code for d in DEPARTEMENTS}
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= codes and "20" not in codes


def test_name_code_and_case_mean_the_same_departement():
    for typed in ("80", "somme", "Somme", "SOMME", " somme "):
        assert canonical_departement(typed) == "Somme"
    assert canonical_departement("2a") == "Corse-du-Sud" and canonical_departement("2B") == "Haute-Corse"
    assert canonical_departement("1") == canonical_departement("01") == "Ain"
    assert canonical_departement("cote d’or") == "Côte-d'Or"
    assert canonical_departement("Réunion") == canonical_departement("974") == "La Réunion"
    assert canonical_departement("Sommes") is None and canonical_departement("99") is None


def test_closest_departements_for_a_typo():
    assert closest_departements("Sommes")[0] == "Somme"
    assert "Isère" in closest_departements("isere")


def test_regions_and_labels():
    assert region_of("80") == "Hauts-de-France" and region_of("Mayotte") == "Mayotte"
    assert canonical_region("ile de france") == "Île-de-France"
    assert departement_label("Somme") == "Somme (80)" and departement_label("Inconnu") == "Inconnu"
