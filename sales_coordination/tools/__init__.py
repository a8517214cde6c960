from . import slots
from . import travel
