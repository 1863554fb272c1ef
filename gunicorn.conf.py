"""gunicorn's settings for the web process, read from the same environment as the app.

gunicorn loads this file by itself when started in the project folder; the Procfile names it.
"""

from discussion import config as _config

_settings = _config.defaults() | _config.from_environment()

bind = _settings["SAMTAL_WEB_BIND"]
workers = _settings["SAMTAL_WEB_WORKERS"]
# No control socket: its default path is per user, so two web instances on one host would clash.
control_socket_disable = True
