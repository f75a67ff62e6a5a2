"""Text for XML 1.0 documents (GraphML, GEXF, SPARQL XML results)."""

from __future__ import annotations

import re

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 forbids, even escaped (lone surrogates cannot even be encoded as UTF-8)."""


def clean_text(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids."""
    return XML_ILLEGAL.sub("", value)
