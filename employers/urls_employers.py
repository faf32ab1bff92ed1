"""Employers routes of the employers app (see employers/urls.py)."""

urlpatterns: list = []
