"""The condition DSL (work in progress)."""
