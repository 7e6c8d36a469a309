"""The web pages: the index page with its form, and the API's docs page, with their templates and static files."""
