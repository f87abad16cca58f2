"""Use cases: they orchestrate the domain through ports and own the transactions."""
