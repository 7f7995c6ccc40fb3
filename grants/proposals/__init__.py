"""Proposals: what organisations ask a round to fund, from draft to the vote."""
