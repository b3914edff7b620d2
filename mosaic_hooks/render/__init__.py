"""Render: the REST API client, the wait for a commit's deploy, and what a wait found."""
