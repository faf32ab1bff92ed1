"""What can be printed. The later apps register a source for each kind of document in their
AppConfig.ready(), so the core renders plans and letters without importing them."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentSource:
    kind: str  # a slug, in URLs and on each GeneratedDocument
    what: str  # "care and support plan", in sentences about the document
    # Asking for, following and downloading a PDF need what the page it comes from needs.
    permission: str
    # (user, pk) -> the subject if the user may see it: the page's own scoped selector.
    load: Callable[[object, object], object | None]
    # pk -> the subject, for the worker (the request was checked when it was made).
    fetch: Callable[[object], object | None]
    holder: Callable[[object], object]  # the person it is about
    describe: Callable[[object], str]  # "Care and support plan, version 2"
    # Changes whenever the PDF would read differently (the person's details aside).
    version: Callable[[object], str]
    # Why no PDF can be made of it now (a plan no longer in use), or None.
    refusal: Callable[[object], str | None]
    template_name: str
    # (subject, document) -> the template's context, from the same presenters as the page.
    context: Callable[[object, object], dict]
    filename: str  # without ".pdf"
    page_url: Callable[[object], str]  # the page it comes from, whose panel shows its progress
    # (user, subject) -> whether the person reads the PDF that user asks for, so it is made
    # in the format they need (large print). Most documents are the person's, whoever asks; a
    # PA's payslip is the person's only when they ask for it themselves (as the employer), and
    # otherwise neither follows nor mentions their needs.
    read_by_the_person: Callable[[object, object], bool] = lambda user, subject: True
    # The page a person (or whoever acts for them) reaches their own copy from, when it is not
    # the staff's page (the plan: "Your plan"); None when they share the page.
    own_page_url: Callable[[object], str] | None = None

    def page_url_for(self, subject, user) -> str:
        """The page the PDF's panel is on, for this user."""
        if self.own_page_url is not None and not getattr(user, "is_staff_member", False):
            return self.own_page_url(subject)
        return self.page_url(subject)


def letter_source(*, kind: str, permission: str, load, fetch, holder, page_url) -> DocumentSource:
    """A letter kept as issued (budgets' and careplans' alike): printed from its stored HTML,
    and never out of date, since a letter never changes once issued (a database trigger keeps
    it so)."""
    return DocumentSource(
        kind=kind,
        what="letter",
        permission=permission,
        load=load,
        fetch=fetch,
        holder=holder,
        describe=lambda letter: letter.subject,
        version=lambda letter: f"letter {letter.pk}",
        refusal=lambda letter: None,
        template_name="phb/documents/letter.html",
        context=lambda letter, document: {"letter": letter},
        filename="letter",
        page_url=page_url,
    )


_sources: dict[str, DocumentSource] = {}


def register_document_source(source: DocumentSource) -> None:
    if source.kind in _sources:
        raise ValueError(f"A document source {source.kind!r} is already registered")
    _sources[source.kind] = source


def source_for(kind: str) -> DocumentSource | None:
    return _sources.get(kind)
