"""The analysis stage: language, sentiment, complaint, topics, brands, personal data and severity of a post.

Pure: it imports only `wakeful.core` and third-party libraries, and does no I/O.
"""

from wakeful.analyze.pipeline import Analyzer

__all__ = ["Analyzer"]
