"""The member register and reconciliation: who the union expects on a list, and what the lists say."""
