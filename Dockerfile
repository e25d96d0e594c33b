FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml requirements.lock ./
RUN pip install --no-cache-dir -c requirements.lock .

COPY . .
RUN useradd --system --uid 10001 tracker \
 && TRACKER_ENV=production SECRET_KEY=build-only ALLOWED_HOSTS=build DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --no-input \
 && chown -R tracker /app
USER tracker

EXPOSE 8000
CMD ["gunicorn", "tracker.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
