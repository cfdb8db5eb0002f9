from celery import shared_task

from store_edge.monitoring import alerts


@shared_task(ignore_result=True)
def alerts_evaluate() -> int:
    return len(alerts.alerts_evaluate())
