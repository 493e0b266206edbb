"""Why the store cannot be used right now: raised by either engine's module, shown by the pages."""


class StoreUnavailable(Exception):
    """The database file is held by another process."""


class StoreBusy(StoreUnavailable):
    """Every connection of the pool stayed in use for its wait, twice: too many at once."""


class SchemaBehind(StoreUnavailable):
    """The database needs migrations its connection may not apply (the portal's runtime role)."""
