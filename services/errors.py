"""Errors a user can cause. Each carries a Norwegian message a page shows as it is."""


class PortalError(Exception):
    """Base of every user-facing error; `str(error)` is the Norwegian message."""


class InvalidInput(PortalError):
    """A value the user typed or uploaded is not acceptable."""


class NotFound(PortalError):
    """The thing asked for does not exist (or is not the user's to see)."""


class AccessDenied(PortalError):
    """The acting user may not do this."""


class Conflict(PortalError):
    """The change collides with what is already stored."""


class NeedsConfirmation(PortalError):
    """The step is allowed, but must be asked for again on purpose; the message says why."""
