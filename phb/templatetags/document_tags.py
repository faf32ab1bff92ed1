from django import template

from phb.documents.presenters import panel_context
from phb.documents.selectors import latest_document
from phb.documents.sources import source_for

register = template.Library()


@register.inclusion_tag("phb/documents/_panel.html", takes_context=True)
def document_panel(context, kind: str, subject) -> dict:
    """The page's "PDF to print or send" panel: a button to make one, its progress, then the
    download. Nothing when no PDF can be made of it and none was."""
    user = context["request"].user
    source = source_for(kind)
    document = latest_document(user, kind, subject.pk)
    panel = panel_context(user, source, subject, document)
    if document is None and not panel["may_request"]:
        return {"show": False}
    return panel | {"show": True, "csrf_token": context.get("csrf_token")}
