"""Celery app: Redis when CELERY_BROKER_URL is set, a server-less filesystem broker otherwise."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sightline.settings")

app = Celery("sightline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _ensure_queue_folders() -> None:
    """The filesystem transport fails on missing folders; create them before the first message."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


app.on_after_configure.connect(lambda **kwargs: _ensure_queue_folders(), weak=False)
