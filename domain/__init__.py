"""The domain: cards, answers, validation, schedule rules and indicators.

Pure Python and pydantic only; an import-linter contract keeps adapters out.
"""
