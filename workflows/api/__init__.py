"""The REST API, version 1 (docs/api.md): django-ninja, typed schemas, the OpenAPI document at
/api/schema/ and /api/v1/openapi.json and its reference at /api/v1/docs (Swagger UI from ninja's own static files).

Thin as the pages are: every read goes through a selector, every write through the same service a
page calls, so visibility, separation of duties, delegation and the legal windows hold alike."""

from workflows.api.app import api, schema_view

__all__ = ["api", "schema_view"]
