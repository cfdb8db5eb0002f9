from celery import shared_task

from store_edge.monitoring import alerts, backups


@shared_task(ignore_result=True)
def alerts_evaluate() -> int:
    return len(alerts.alerts_evaluate())


@shared_task(ignore_result=True)
def backup() -> str:
    return str(backups.backup_take().path)
