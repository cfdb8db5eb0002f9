from celery import shared_task

from cloud_hq.reporting import services


@shared_task(ignore_result=True)
def heartbeat_samples_prune() -> int:
    return services.heartbeat_samples_prune()


@shared_task(ignore_result=True)
def chain_refresh() -> int:
    return len(services.chain_refresh())
