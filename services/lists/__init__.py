"""The life of a deduction list in the store: sent, filled in, remembered, shown to both sides."""
