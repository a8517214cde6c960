from . import controllers
from . import models
from . import wizards
from . import report


def uninstall_hook(env):
    """Drop what the ORM does not: the indexes on other addons' tables."""
    from .models.indexes import drop_indexes

    drop_indexes(env.cr)
