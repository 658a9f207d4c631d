"""Errors of the indexer, each with a French message meant for the person running it."""


class IndexerError(Exception):
    """Base class: `str(error)` is a complete French sentence."""


class IndexNotFound(IndexerError):
    def __init__(self, root: str) -> None:
        super().__init__(f"aucun index dans « {root} » : lancez `python -m indexer build` pour le construire")


class IndexCorrupt(IndexerError):
    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"l'index « {path} » est illisible ({detail}) : "
                         "reconstruisez-le avec `python -m indexer build`")


class BuildBusy(IndexerError):
    def __init__(self, root: str, waited: float) -> None:
        super().__init__(f"une autre construction de l'index « {root} » est en cours "
                         f"(attendu {waited:.0f} s) ; réessayez plus tard")


class FicheNotFound(IndexerError):
    def __init__(self, fiche_id: str) -> None:
        super().__init__(f"aucune fiche d'identifiant « {fiche_id} » dans l'index")
