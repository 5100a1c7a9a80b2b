"""Fixtures for the analysis-stage tests: lingua's models load once per session, not once per test."""

from __future__ import annotations

import pytest

from wakeful.analyze import Analyzer
from wakeful.analyze.language import LinguaLanguageDetector

from tests.analyze.helpers import AURORA, NORDWIND


@pytest.fixture(scope="session")
def detector() -> LinguaLanguageDetector:
    detector = LinguaLanguageDetector()
    detector.detect("warm up the models once for the whole session")
    return detector


@pytest.fixture(scope="session")
def analyzer(detector: LinguaLanguageDetector) -> Analyzer:
    return Analyzer([AURORA, NORDWIND], detector=detector)
