"""Stage 2b: mentions -> entity ids and Wikidata QIDs, offline, from a pinned gazetteer.

``Gazetteer.load(folder)`` reads ``entities.csv`` and ``names.csv``;
``Linker(gazetteer, ontology).link(mention, type=..., context=..., date=...)``
ranks candidates with scores and reasons, answers NIL when nothing fits, and
sends close calls to a review file that a researcher resolves by editing.
"""

from .gazetteer import Entry, Gazetteer, Name, normalize
from .linker import Candidate, LinkResult, Linker, ReviewFile

__all__ = ["Candidate", "Entry", "Gazetteer", "LinkResult", "Linker", "Name", "ReviewFile", "normalize"]
