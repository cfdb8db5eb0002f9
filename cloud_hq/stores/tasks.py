from celery import shared_task

from cloud_hq.stores import services


@shared_task(ignore_result=True)
def nonces_prune() -> int:
    return services.nonces_prune()
