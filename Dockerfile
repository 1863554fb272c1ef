FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 SAMTAL_INSTANCE_PATH=/var/lib/samtal
COPY pyproject.toml constraints.txt README.md ./
COPY discussion ./discussion
COPY worker ./worker
COPY templates ./templates
COPY app.py ./
RUN pip install --no-cache-dir -c constraints.txt . && mkdir -p /var/lib/samtal
EXPOSE 8000
CMD ["gunicorn", "--workers", "2", "--bind", "0.0.0.0:8000", "app:app"]
