"""Poise's content-category taxonomy, and how each category maps onto the EU DSA vocabulary.

``Decision.category``, case and notice categories and bank categories all use these keys. Exports to the
DSA Transparency Database translate them with :func:`dsa_category` (values checked against
``shared/reference/dsa-sor-enumerations.json`` by the tests).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    """One category: key, label for people, DSA category and specification keywords, default urgency."""

    key: str
    label: str
    dsa_category: str
    dsa_keywords: tuple[str, ...]
    urgent: bool = False


CATEGORIES: dict[str, Category] = {c.key: c for c in [
    Category("csam", "Child sexual abuse material", "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
             ("KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",), urgent=True),
    Category("grooming", "Grooming or sexual enticement of minors", "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
             ("KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS",), urgent=True),
    Category("terrorism", "Terrorist content", "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
             ("KEYWORD_TERRORIST_CONTENT",), urgent=True),
    Category("violence", "Violence or incitement to violence", "STATEMENT_CATEGORY_VIOLENCE",
             ("KEYWORD_INCITEMENT_VIOLENCE_HATRED",)),
    Category("hate_speech", "Illegal hate speech", "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
             ("KEYWORD_HATE_SPEECH",)),
    Category("defamation", "Defamation", "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", ("KEYWORD_DEFAMATION",)),
    Category("harassment", "Harassment or stalking", "STATEMENT_CATEGORY_CYBER_VIOLENCE",
             ("KEYWORD_CYBER_HARASSMENT",)),
    Category("non_consensual_imagery", "Non-consensual intimate imagery", "STATEMENT_CATEGORY_CYBER_VIOLENCE",
             ("KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",), urgent=True),
    Category("drugs", "Sale of illegal drugs", "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
             ("KEYWORD_PROHIBITED_PRODUCTS",)),
    Category("weapons", "Sale of illegal weapons", "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
             ("KEYWORD_PROHIBITED_PRODUCTS",)),
    Category("scam", "Scams and fraud", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", ("KEYWORD_PHISHING",)),
    Category("human_trafficking", "Human trafficking", "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
             ("KEYWORD_HUMAN_TRAFFICKING",), urgent=True),
    Category("self_harm", "Self-harm or suicide promotion", "STATEMENT_CATEGORY_SELF_HARM",
             ("KEYWORD_SUICIDE",), urgent=True),
    Category("privacy", "Privacy or data-protection violation",
             "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", ("KEYWORD_MISSING_PROCESSING_GROUND",)),
    Category("ip_infringement", "Intellectual property infringement",
             "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS", ("KEYWORD_COPYRIGHT_INFRINGEMENT",)),
    Category("election_disinfo", "Election disinformation",
             "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
             ("KEYWORD_MISINFORMATION_DISINFORMATION",)),
    Category("adult", "Adult sexual material", "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
             ("KEYWORD_ADULT_SEXUAL_MATERIAL",)),
    Category("spam", "Spam and inauthentic behaviour", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
             ("KEYWORD_INAUTHENTIC_ACCOUNTS",)),
    Category("other", "Other violation of the terms", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", ("KEYWORD_OTHER",)),
    Category("not_specified", "Not specified by the notifier", "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE", ()),
]}


def category(key: str) -> Category:
    """The category for a key; KeyError for an unknown key."""
    return CATEGORIES[key]


def dsa_category(key: str | None) -> str:
    """The DSA ``category`` value for a Poise category key (unknown or None: not specified)."""
    return CATEGORIES.get(key or "not_specified", CATEGORIES["not_specified"]).dsa_category
