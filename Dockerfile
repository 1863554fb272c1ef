# The app image: the same image runs web (gunicorn), worker and beat (Celery); see Procfile.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 SAMTAL_INSTANCE_PATH=/var/lib/samtal \
    SAMTAL_WEB_BIND=0.0.0.0:8000
COPY pyproject.toml constraints.txt README.md ./
COPY discussion ./discussion
COPY worker ./worker
COPY templates ./templates
COPY app.py gunicorn.conf.py Procfile ./
RUN pip install --no-cache-dir -c constraints.txt . \
    && useradd --system --home-dir /var/lib/samtal samtal \
    && mkdir -p /var/lib/samtal && chown samtal /var/lib/samtal
USER samtal
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "app:app"]
