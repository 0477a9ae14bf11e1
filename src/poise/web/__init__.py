"""Server-rendered pages (Jinja2 + htmx): public portal, authority portal, moderator console."""
