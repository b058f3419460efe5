"""The 定时任务 panel of the admin home page (templates/admin/index.html): when each periodic job of
disclosure/jobs.py last ran, its result, and a warning when it has not run successfully for too long
(the runner, ``manage.py run_jobs``, is probably not running)."""

from django import template

from disclosure.core.jobs import job_statuses
from disclosure.jobs import JOBS

register = template.Library()


@register.inclusion_tag("admin/disclosure/includes/jobs_panel.html", takes_context=True)
def admin_jobs_panel(context):
    request = context.get("request")
    if request is None or not request.user.is_staff:
        return {"jobs": None}
    return {"jobs": job_statuses(JOBS)}
