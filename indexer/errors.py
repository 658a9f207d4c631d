"""Errors of the indexer, each with a French message meant for the person running it."""

import errno


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


class BuildFailed(IndexerError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"la construction de l'index a échoué dans un processus d'indexation : {detail}")


class FicheNotFound(IndexerError):
    def __init__(self, fiche_id: str) -> None:
        super().__init__(f"aucune fiche d'identifiant « {fiche_id} » dans l'index")


_OS_ERRORS = {
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.EISDIR: "c'est un dossier",
    errno.ENOTDIR: "ce n'est pas un dossier",
    errno.EIO: "erreur d'entrée-sortie",
    errno.EDQUOT: "quota disque dépassé",
    errno.ENAMETOOLONG: "nom trop long",
}


def describe_os_error(exc: OSError, with_path: bool = True) -> str:
    """A French description of a system error, with the path concerned when known."""
    text = _OS_ERRORS.get(exc.errno, exc.strerror or type(exc).__name__)
    return f"{text} : {exc.filename}" if with_path and exc.filename else text
