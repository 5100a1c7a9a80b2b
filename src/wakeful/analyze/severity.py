"""How bad a complaint is, 0..3, and the urgency signals behind it.

Severity sets a case's base priority, so the levels follow what an agent must do first: 3 is someone's safety,
a legal threat or a vulnerable customer (answer now, escalate); 2 is a complaint with a clock running or one
the customer has already chased, or that is furious (strongly negative, or an angry emoji, which says so in every
language where the sentiment score is English-fit); 1 is an ordinary complaint; 0 is not a complaint.
"""

from __future__ import annotations

from collections.abc import Sequence

from wakeful.analyze.urgency import CRITICAL_SIGNALS, URGENT_SIGNALS, read_urgency

STRONGLY_NEGATIVE = -0.6
COMPOUND_TOPICS = 3


def urgency_signals(text: str) -> list[str]:
    """Names of the urgency signals in `text` (see `wakeful.analyze.urgency`)."""
    return read_urgency(text).signals


def severity(complaint: bool, sentiment_score: float, text: str, topics: Sequence[str],
             signals: Sequence[str] | None = None) -> int:
    """0 no complaint; 1 complaint; 2 strongly negative, urgent, or touching `COMPOUND_TOPICS` problems at once
    (a lost bag *and* a missing refund is a failing relationship); 3 safety, legal or vulnerable, complaint or not.
    `signals`, when the caller has already read them, saves reading the text again."""
    found = set(urgency_signals(text) if signals is None else signals)
    if found & CRITICAL_SIGNALS:  # safety, legal threat, vulnerable customer: urgent even if no model saw a complaint
        return 3
    if not complaint:
        return 0
    if found & URGENT_SIGNALS or sentiment_score <= STRONGLY_NEGATIVE or len(set(topics)) >= COMPOUND_TOPICS:
        return 2
    return 1
