"""gunicorn's settings for the web process, read from the same environment as the app."""

from discussion import config as _config

_settings = _config.defaults() | _config.from_environment()

bind = _settings["SAMTAL_WEB_BIND"]
workers = _settings["SAMTAL_WEB_WORKERS"]
timeout = 30
graceful_timeout = 20
# The app's own log lines (SAMTAL_LOG_FORMAT) go to stderr; gunicorn adds only its errors.
errorlog = "-"
# No control socket: its default path is per user, so two web instances on one host would clash.
control_socket_disable = True
