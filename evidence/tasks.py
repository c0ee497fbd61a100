from celery import shared_task

from evidence.builder import pack_build


@shared_task(name="evidence.pack_build", acks_late=True)
def pack_build_task(pack_id: int) -> str:
    """Builds run in the worker so a 60-second pack never blocks a web request."""
    pack = pack_build(pack_id=pack_id)
    return pack.status
