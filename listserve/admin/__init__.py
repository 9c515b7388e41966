"""The committee admin's tools: subscribers (search, import, export), the dashboard."""
