"""Field and parameter types that make the OpenAPI schema say what the API does: readOnly,
writeOnly, a field that may be left out but is never null, ids in paths, strict booleans."""

from typing import Annotated, Any

from fastapi import Path
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    WithJsonSchema,
    field_validator,
)

READ_ONLY = {"readOnly": True}
WRITE_ONLY = {"writeOnly": True}


def refuse_nul(value: object) -> object:
    """PostgreSQL cannot store NUL in text: a string holding one is a 400 naming its field."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("Null characters are not allowed.")
    return value


NoNul = AfterValidator(refuse_nul)


class RequestBody(BaseModel):
    """The base of every request body: no string field may hold NUL. Fields a body does not
    declare are ignored, as are read-only ones (id, created_at, ...) a client sends back."""

    _no_nul = field_validator("*")(refuse_nul)


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def optional(**constraints: Any) -> Any:
    """A field a request may leave out (it stays None) but never send as null: PATCH bodies.
    The schema shows the plain type, not "or null", and no default."""
    return Field(default=None, json_schema_extra=_no_default, **constraints)


def int64(value: int) -> int:
    if value > 2**63 - 1:
        raise ValueError("The id must be a 64-bit integer.")
    return value


# A resource id in a path: 1..2^63-1 (format int64); anything else is a 404, not a 400.
PathId = Annotated[int, Path(ge=1, json_schema_extra={"format": "int64"}), AfterValidator(int64)]


def strictly_true_or_false(value: object) -> object:
    """Query booleans are "true" or "false"; Pydantic alone would take yes, on, 1 and more."""
    if value not in ("true", "false"):
        raise ValueError("Must be true or false.")
    return value == "true"


# An optional boolean query parameter; absent is None, never sent as null.
QueryBool = Annotated[
    bool | None, BeforeValidator(strictly_true_or_false), WithJsonSchema({"type": "boolean"})
]
