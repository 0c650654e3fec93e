"""Fake GitHub and GitLab servers on 127.0.0.1, contract-checked against OpenAPI descriptions."""
