"""Grant rounds: set-up, the round's workflow, the count and its results."""
