"""PDFs of what a person is sent: their plan, letters and how their budget was worked out.

The later apps register what can be printed (`sources`); a request makes a `GeneratedDocument`
row and queues its rendering on the `pdf` queue after commit (`services`); WeasyPrint renders
it from the same presenters as the page, loading only our own static files (`rendering`).
"""
