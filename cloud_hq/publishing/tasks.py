from celery import shared_task

from cloud_hq.publishing import services


@shared_task(ignore_result=True)
def scheduled_publish() -> list[int]:
    return services.scheduled_publish()
