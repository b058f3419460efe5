"""The 待办事项 panel of the admin home page (templates/admin/index.html); the rows come from
disclosure/dashboard/todo.py, whose docstring says why a template tag is how the panel is wired in."""

from django import template

from disclosure.dashboard.todo import todo_panel

register = template.Library()


@register.inclusion_tag("admin/disclosure/includes/todo_panel.html", takes_context=True)
def admin_todo_panel(context):
    request = context.get("request")
    if request is None:
        return {"panel": None}
    return {"panel": todo_panel(request.user, context.get("app_list") or [])}
