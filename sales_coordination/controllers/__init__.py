from . import main
from . import dialer
