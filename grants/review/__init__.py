"""Partnership review: reviewers ratify a round's allocation or return it with reasons."""
