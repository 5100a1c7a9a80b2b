"""The dashboard: server-rendered pages (Jinja2) over the same desk services the JSON API uses."""
