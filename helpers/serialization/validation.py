"""Checking bytes that came over the wire: one observation's rules written for pydantic and for marshmallow."""
import base64
import binascii
import html
import json
from dataclasses import dataclass, field
from datetime import datetime

from marshmallow import Schema, ValidationError as MarshmallowError, fields, post_load, validate
from pydantic import AwareDatetime, Base64Bytes, BaseModel, ConfigDict, Field, ValidationError as PydanticError

CATALOGUE = (1, 99_999)  # NORAD catalogue numbers have five digits


class ObservationModel(BaseModel):
    """An observation as pydantic checks it: the type hints are the rules."""

    model_config = ConfigDict(extra="forbid")
    id: int = Field(ge=CATALOGUE[0], le=CATALOGUE[1])
    name: str = Field(min_length=1)
    time: AwareDatetime
    position: tuple[float, float, float]
    tags: list[str] = []
    payload: Base64Bytes = b""


@dataclass
class Observation:
    """An observation as a plain dataclass: what the marshmallow schema builds."""

    id: int
    name: str
    time: datetime
    position: tuple
    tags: list = field(default_factory=list)
    payload: bytes = b""


class Base64Field(fields.Field):
    """Text in base64 that becomes bytes (marshmallow has no such field of its own)."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise MarshmallowError("Not valid base64 text.") from None


class ObservationSchema(Schema):
    """An observation as marshmallow checks it: one field object per key, rules as arguments."""

    id = fields.Integer(required=True, strict=True, validate=validate.Range(*CATALOGUE))
    name = fields.String(required=True, validate=validate.Length(min=1))
    time = fields.AwareDateTime(required=True)
    position = fields.Tuple((fields.Float(), fields.Float(), fields.Float()), required=True)
    tags = fields.List(fields.String(), load_default=list)
    payload = Base64Field(load_default=b"")

    @post_load
    def build(self, data, **kwargs):
        return Observation(**data)


def pydantic_check(line):
    """(an ObservationModel, "") for a good JSON line, else (None, one line naming each bad field)."""
    try:
        return ObservationModel.model_validate_json(line), ""
    except PydanticError as error:
        return None, "; ".join(f"{'.'.join(map(str, e['loc'])) or '(the line)'}: {e['msg']}"
                               for e in error.errors(include_url=False))


def marshmallow_check(line):
    """(an Observation, "") for a good JSON line, else (None, one line naming each bad field)."""
    try:
        return ObservationSchema().load(json.loads(line)), ""
    except json.JSONDecodeError as error:
        return None, f"(the line): not JSON: {error}"
    except MarshmallowError as error:
        return None, "; ".join(f"{where}: {message}" for where, message in flatten(error.messages))


def flatten(messages, where=""):
    """marshmallow's nested {field: {index: [messages]}} as (dotted.field, message) pairs."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from flatten(value, f"{where}.{key}" if where else str(key))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        yield where or "(the line)", " ".join(messages)
    else:
        yield where or "(the line)", str(messages)


def check_all(lines, check):
    """check(line) for every line: a list of (number, the object or None, the error or "")."""
    return [(number, *check(line)) for number, line in enumerate(lines, 1)]


def results_table(results):
    """check_all()'s results as an HTML table: line, verdict, the typed object or the fields at fault."""
    rows = "".join(
        f"<tr><td>{n}</td><td>{'&#10004; ok' if obj is not None else '&#10008; refused'}</td>"
        f"<td style='text-align:left'><code>{html.escape(repr(obj) if obj is not None else error)}</code></td></tr>"
        for n, obj, error in results)
    return f"<table><tr><th>line</th><th>verdict</th><th>what came out</th></tr>{rows}</table>"
