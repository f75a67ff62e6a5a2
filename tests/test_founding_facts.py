"""Every fact of the founding article is in the built graph, traceable to the article.

Each entry pairs a phrase of the article (checked against ../shared/seeds/,
skipped where that is absent) with a SPARQL ASK that must hold on the built
graph. ``?fact`` in each pattern must be derived from the founding article,
so a fact that is present but attributed to another source fails.
"""

from __future__ import annotations

import re

import pytest

from eurokg import run_query

FACTS: list[tuple[str, str, str]] = [
    # (id, phrase in the article, pattern binding ?fact)
    ("xi-signs-treaty", "Xi Jinping on Tuesday signed a landmark treaty",
     """?fact a ek:Treaty ; ek:signedBy id:xi-jinping ; ek:signingDate "2025-06-17"^^xsd:date ."""),
    ("xi-is-president", "Chinese President Xi Jinping",
     """?fact ek:holder id:xi-jinping ; ek:officeOf id:china ; ek:title ?t . FILTER(CONTAINS(STR(?t), "President"))"""),
    ("astana-capital", "Astana, the capital of Kazakhstan",
     """?fact ek:capital id:astana . FILTER(?fact = id:kazakhstan)"""),
    ("summit-in-astana", "At a regional summit held in Astana",
     """?fact a ek:Summit ; ek:heldIn id:astana ; ek:startDate "2025-06-17"^^xsd:date ; ek:host id:kazakhstan ."""),
    ("six-signatories", "President Xi and the leaders of Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan, and Uzbekistan signed a treaty",
     """?fact a ek:Treaty ; ek:signatory id:china, id:kazakhstan, id:kyrgyzstan, id:tajikistan, id:turkmenistan, id:uzbekistan ;
        ek:signedBy id:kassym-jomart-tokayev, id:sadyr-japarov, id:emomali-rahmon, id:serdar-berdimuhamedov, id:shavkat-mirziyoyev ;
        ek:signedDuring id:china-central-asia-summit-2025 ; ek:signedAt id:astana ."""),
    ("treaty-name", "permanent good-neighbourliness and friendly cooperation",
     """?fact a ek:Treaty ; rdfs:label ?l . FILTER(CONTAINS(LCASE(STR(?l)), "permanent good-neighbourliness and friendly cooperation"))"""),
    ("reported-by-xinhua", "according to China’s official Xinhua News Agency",
     """?fact a ek:Treaty ; ek:reportedBy id:xinhua . id:xinhua a ek:NewsAgency ; ek:basedIn id:china ."""),
    ("cooperation-trade-energy-infrastructure", "boost cooperation on trade, energy, and infrastructure",
     """?fact a ek:Assessment ; ek:about id:treaty-permanent-good-neighbourliness-2025 ; ek:topic id:trade, id:energy, id:infrastructure ."""),
    ("russian-sphere", "historically fallen within Russia’s sphere of influence",
     """?fact a ek:Assessment ; ek:about id:russia, id:kazakhstan, id:kyrgyzstan, id:tajikistan, id:turkmenistan, id:uzbekistan ."""),
    ("expanding-influence", "strategically vital and resource-rich region",
     """?fact a ek:Assessment ; ek:about id:china, id:central-asia ; ek:claim ?c . FILTER(CONTAINS(STR(?c), "resources"))"""),
    ("second-summit", "The summit in Astana was the second of its kind",
     """?fact a ek:Summit ; ek:edition ?e ; ek:heldIn id:astana ; ek:follows id:china-central-asia-summit-2023 . FILTER(?e = 2)"""),
    ("inaugural-2023", "an inaugural gathering held in northwest China in 2023",
     """?fact a ek:Summit ; ek:edition ?e ; ek:heldIn ?city ; ek:startDate ?d . FILTER(?e = 1)
        ?city ek:inRegion id:northwest-china ; ek:country id:china . FILTER(YEAR(?d) = 2023)"""),
    ("timed-with-g7", "both summits were timed alongside meetings of G7 leaders",
     """?fact ek:coincidesWith ?g7a . ?g7a ek:organizedBy id:g7 . FILTER(?fact = id:china-central-asia-summit-2023)
        id:china-central-asia-summit-2025 ek:coincidesWith ?g7b . ?g7b ek:organizedBy id:g7 ."""),
    ("central-player", "China’s growing ambition to assert itself as a central player",
     """?fact a ek:Assessment ; ek:about id:g7, id:china-central-asia-summit-2023, id:china-central-asia-summit-2025 ."""),
    ("quote-changes-unseen", "the world is undergoing accelerating changes unseen in a century",
     """?fact a ek:Statement ; ek:speaker id:xi-jinping ; ek:reportedBy id:xinhua ; ek:announcedAt id:china-central-asia-summit-2025 ;
        ek:quote ?q . FILTER(CONTAINS(STR(?q), "accelerating changes unseen in a century, entering a new period of turbulence and transformation"))"""),
    ("veiled-reference-us", "In a veiled reference to the United States",
     """?fact a ek:Statement ; ek:speaker id:xi-jinping ; ek:implicitTarget id:united-states ."""),
    ("quote-trade-wars", "“trade wars and tariff wars,”",
     """?fact a ek:Statement ; ek:quote "trade wars and tariff wars"@en ."""),
    ("quote-hegemonism", "unilateralism, protectionism, and hegemonism are bound to harm both others and oneself",
     """?fact a ek:Statement ; ek:quote "unilateralism, protectionism, and hegemonism are bound to harm both others and oneself"@en ."""),
    ("quote-justice", "safeguard international justice, oppose hegemonism and power politics",
     """?fact a ek:Statement ; ek:addressedTo id:central-asia ; ek:quote "safeguard international justice, oppose hegemonism and power politics"@en ."""),
    ("grant-amount", "1.5 billion yuan ($208.86 million)",
     """?fact a ek:AidPledge ; ek:donor id:china ; ek:pledgedBy id:xi-jinping ;
        ek:amount 1500000000.0 ; ek:currency/ek:isoCode "CNY" ;
        ek:equivalentAmount 208860000.0 ; ek:equivalentCurrency/ek:isoCode "USD" ."""),
    ("grant-purpose-year", "grant assistance to Central Asian countries for livelihood and development projects in 2025",
     """?fact a ek:AidPledge ; ek:aidKind "grant"@en ; ek:forYear "2025"^^xsd:gYear ; ek:purpose ?p ;
        ek:recipient id:kazakhstan, id:kyrgyzstan, id:tajikistan, id:turkmenistan, id:uzbekistan .
        FILTER(CONTAINS(STR(?p), "livelihood and development"))"""),
    ("cooperation-call", "enhanced cooperation in trade, mineral extraction, and agriculture",
     """?fact a ek:Statement ; ek:speaker id:xi-jinping ; ek:topic id:trade, id:minerals, id:agriculture ."""),
    ("economic-footprint", "deepen its economic footprint in the region",
     """?fact a ek:Assessment ; ek:claim ?c . FILTER(CONTAINS(STR(?c), "economic presence"))"""),
    ("trade-volume", "reached 286.42 billion yuan in the first five months of this year",
     """?fact a ek:TradeRelation ; ek:reporter id:china ; ek:flow ek:TwoWayTrade ; ek:tradeValue 286420000000.0 ;
        ek:currency id:cny ; ek:periodStart "2025-01-01"^^xsd:date ; ek:periodEnd "2025-05-31"^^xsd:date ;
        ek:partner id:kazakhstan, id:kyrgyzstan, id:tajikistan, id:turkmenistan, id:uzbekistan ; ek:reportedBy id:xinhua ."""),
    ("trade-growth", "a 10.4% increase compared to the same period in 2024",
     """?fact a ek:TradeRelation ; ek:changePercent 10.4 ."""),
    ("turkmen-surplus", "Turkmenistan remains the only country to enjoy a trade surplus with China, due in large part to its natural gas exports",
     """?fact ek:reporter id:turkmenistan ; ek:partner id:china ; ek:balance ek:Surplus ; ek:balanceDrivenBy id:natural-gas .
        FILTER NOT EXISTS { ?other ek:balance ek:Surplus ; ek:partner id:china ; ek:reporter ?s .
                            ?s ek:inRegion id:central-asia . FILTER(?s != id:turkmenistan) }"""),
    ("kazakh-deficit", "Kazakhstan and Kyrgyzstan face significant trade deficits, reportedly in the tens of billions",
     """?fact ek:reporter id:kazakhstan ; ek:partner id:china ; ek:balance ek:Deficit ; ek:magnitudeNote ?m .
        FILTER(CONTAINS(STR(?m), "tens of billions"))"""),
    ("kyrgyz-deficit", "Kazakhstan and Kyrgyzstan face significant trade deficits",
     """?fact ek:reporter id:kyrgyzstan ; ek:partner id:china ; ek:balance ek:Deficit ."""),
    ("bilateral-priorities", "natural gas, mineral development, international railway connectivity, and law enforcement",
     """?fact a ek:Statement ; ek:speaker id:xi-jinping ; ek:topic id:natural-gas, id:minerals, id:railway-connectivity, id:law-enforcement ."""),
    ("urged-railway", "He urged progress on the long-discussed China-Kyrgyzstan-Uzbekistan railway",
     """?fact a ek:Statement ; ek:speaker id:xi-jinping ; ek:about id:china-kyrgyzstan-uzbekistan-railway ."""),
    ("railway-bypasses-russia", "a key overland route that bypasses Russia",
     """?fact a ek:Railway ; ek:bypasses id:russia ; ek:connects id:china, id:kyrgyzstan, id:uzbekistan ."""),
    ("proposed-1990s", "Initially proposed in the 1990s",
     """?fact a ek:Railway ; ek:firstProposed "1990s"^^ek:Decade ."""),
    ("sanctions-urgency", "sanctions on Moscow have led shippers between China and Europe to seek alternatives to the Russian corridor",
     """?fact a ek:Railway ; ek:urgencyFrom ?s ; ek:alternativeTo ?corridor .
        ?s a ek:Sanction ; ek:target id:russia .
        ?corridor a ek:Corridor ; ek:passesThrough id:russia ; ek:connects id:china, id:europe ."""),
    ("former-soviet", "The five former Soviet republics of Central Asia",
     """?fact ek:formerlyPartOf id:soviet-union ; ek:inRegion id:central-asia . FILTER(?fact = id:turkmenistan)
        id:kazakhstan ek:formerlyPartOf id:soviet-union . id:kyrgyzstan ek:formerlyPartOf id:soviet-union .
        id:tajikistan ek:formerlyPartOf id:soviet-union . id:uzbekistan ek:formerlyPartOf id:soviet-union ."""),
    ("strategic-buffer", "a strategic buffer for China—providing alternative routes for energy and food supplies",
     """?fact a ek:Assessment ; ek:about id:china ; ek:topic id:energy, id:food-supply ."""),
    ("russia-waning", "Russia’s influence wanes due to its entanglement in Ukraine and growing isolation from the West",
     """?fact a ek:Assessment ; ek:about id:russia, id:russian-invasion-of-ukraine ."""),
    ("heart-of-eurasia", "deepen its presence in the heart of Eurasia",
     """?fact a ek:Assessment ; ek:about id:eurasia ."""),
]

SOURCED = "?fact prov:wasDerivedFrom id:founding-article ."


def _normalise(text: str) -> str:
    text = text.replace("‘", "'").replace("’", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("fact_id,phrase,pattern", FACTS, ids=[f[0] for f in FACTS])
def test_fact_is_in_graph_and_traced_to_the_article(built_dataset, fact_id, phrase, pattern):
    result = run_query(built_dataset, f"ASK {{ {pattern}\n {SOURCED} }}", timeout_s=None)
    assert result.boolean, f"fact {fact_id!r} ({phrase!r}) is missing or not derived from the founding article"


@pytest.mark.parametrize("fact_id,phrase,pattern", FACTS, ids=[f[0] for f in FACTS])
def test_fact_phrase_is_in_the_article(seed_text, fact_id, phrase, pattern):
    assert _normalise(phrase) in _normalise(seed_text)


def test_every_sentence_of_the_article_is_covered(seed_text):
    """Each sentence of the article (section headings aside) contains at least one fact phrase."""
    text = _normalise(seed_text)
    phrases = [_normalise(p) for _, p, _ in FACTS]
    sentences = [s.strip() for s in re.split(r'(?:(?<=[.!?])|(?<=[.!?]["”]))\s+(?=[A-Z"“])', text) if s.strip()]
    uncovered = []
    for sentence in sentences:
        if len(sentence.split()) < 8:
            continue  # headings such as "A Strategic Buffer"
        if not any(p in sentence or sentence in p for p in phrases):
            uncovered.append(sentence)
    assert not uncovered, "sentences with no fact in the graph:\n" + "\n".join(uncovered)


def test_publication_date_resolves_tuesday(built_dataset):
    """'On Tuesday' resolves against the publication date: 17 June 2025 was a Tuesday."""
    import datetime as dt

    rows = run_query(built_dataset, "SELECT ?d WHERE { id:founding-article ek:datePublished ?d }", timeout_s=None).values()
    published = dt.date.fromisoformat(rows[0][0])
    signing = dt.date(2025, 6, 17)
    assert signing.weekday() == 1  # Tuesday
    assert 0 <= (published - signing).days < 7
