"""Small helpers shared by views of every app."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect


def add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field where the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def conflict_redirect(request, error, to):
    """Someone else changed the record first: say what happened, and show it as it is now."""
    messages.error(request, str(error))
    return redirect(to)
