"""The Flask extensions, created unbound here and bound to an app in create_app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from .database import Database


class Base(DeclarativeBase):
    pass


db = Database(model_class=Base)
csrf = CSRFProtect()
babel = Babel()
migrate = Migrate()
login_manager = LoginManager()
# Storage is chosen in create_app: the Redis broker when there is one, else the process's
# memory (`limit_storage`).
limiter = Limiter(key_func=get_remote_address)
