"""Files made for a person or an authority from what the portal holds (the access report)."""
