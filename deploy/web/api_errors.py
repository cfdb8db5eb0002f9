"""The refusals any operation of the store's or HQ's API can answer before its view runs —
not signed or no token (401), signed for another store or no CSRF token (403), a body that
is not sane JSON (400, 413, 415: see request_limits), parameters or a body that do not
validate (422) — documented in the OpenAPI schema, so that a client (and schemathesis)
finds every status it can receive."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERRORS = {  # pydantic's errors, or a message for what the API refuses itself
    "type": "object",
    "properties": {
        "detail": {"anyOf": [{"type": "array", "items": {"type": "object"}}, {"type": "string"}]}
    },
    "required": ["detail"],
}


class ErrorOut(Schema):
    """A refusal, in words the person at the other end can act on."""

    detail: str


BODY_REFUSALS = {
    400: "The body is not JSON, not UTF-8, holds NUL characters or nests too deep",
    413: "The body is too large",
    415: "The body is not sent as application/json",
}


class DocumentedNinjaAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                document_refusals(operation)
        return schema


def document_refusals(operation: dict[str, Any]) -> None:
    responses = operation["responses"]
    if operation.get("security"):
        responses.setdefault(401, answer("Not authenticated", DETAIL))
        responses.setdefault(403, answer("Not allowed here, or no CSRF token", DETAIL))
    if operation.get("requestBody"):
        for status, description in BODY_REFUSALS.items():
            responses.setdefault(status, answer(description, DETAIL))
    if operation.get("requestBody") or operation.get("parameters"):
        documented = responses.get(422)
        if documented is None:
            responses[422] = answer("Parameters or body do not validate", VALIDATION_ERRORS)
        else:
            content = documented.setdefault("content", {}).setdefault("application/json", {})
            own = content.get("schema")
            content["schema"] = {"anyOf": [own, VALIDATION_ERRORS]} if own else VALIDATION_ERRORS


def answer(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}
