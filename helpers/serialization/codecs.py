"""Six ways to turn a record into bytes and back: JSON, pickle, MessagePack, CBOR, Protocol Buffers, Avro."""
import base64
import io
import json
import pickle
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

import cbor2
import fastavro
import msgpack

from helpers.serialization.proto import to_dict
from helpers.serialization.shapes import SHAPES

FORMATS = ("json", "pickle", "msgpack", "cbor", "protobuf", "avro")


@dataclass(frozen=True)
class Codec:
    """A format's name and its two functions: encode(value) -> bytes, decode(bytes) -> an equal value."""

    name: str
    encode: Callable
    decode: Callable


def tag(value):
    """json.dumps' default= hook: what JSON has no type for becomes a small tagged object."""
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def untag(obj):
    """json.loads' object_hook: the tagged objects of tag() become datetimes and bytes again."""
    if len(obj) == 1 and "$datetime" in obj:
        return datetime.fromisoformat(obj["$datetime"])
    if len(obj) == 1 and "$bytes" in obj:
        return base64.b64decode(obj["$bytes"])
    return obj


def json_codec():
    """Compact UTF-8 JSON, datetimes and bytes carried as tagged objects."""
    return Codec("json", lambda v: json.dumps(v, default=tag, separators=(",", ":"), ensure_ascii=False).encode(),
                 lambda b: json.loads(b, object_hook=untag))


def pickle_codec():
    """Python's own format, newest protocol."""
    return Codec("pickle", lambda v: pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL), pickle.loads)


def msgpack_codec():
    """MessagePack; datetimes as its timestamp extension type."""
    return Codec("msgpack", lambda v: msgpack.packb(v, datetime=True), lambda b: msgpack.unpackb(b, timestamp=3))


def cbor_codec():
    """CBOR (RFC 8949); datetimes as its tagged date strings."""
    return Codec("cbor", cbor2.dumps, cbor2.loads)


def protobuf_codec(proto, message, many=False):
    """Protocol Buffers with a compiled message class; decoding gives plain dicts again (to_dict)."""
    if many:
        batch = proto.message(message + "Batch")
        return Codec("protobuf", lambda v: batch(records=v).SerializeToString(),
                     lambda b: to_dict(batch.FromString(b))["records"])
    cls = proto.message(message)
    return Codec("protobuf", lambda v: cls(**v).SerializeToString(), lambda b: to_dict(cls.FromString(b)))


def avro_codec(schema, many=False):
    """Avro without the schema in the bytes (both sides must hold it): fastavro's schemaless writer and reader."""
    parsed = fastavro.parse_schema({"type": "array", "items": schema} if many else schema)

    def encode(value):
        out = io.BytesIO()
        fastavro.schemaless_writer(out, parsed, value)
        return out.getvalue()

    return Codec("avro", encode, lambda b: fastavro.schemaless_reader(io.BytesIO(b), parsed, None))


def codecs(proto, shape="flat", many=False):
    """{format: Codec} for records of a shape (see SHAPES); many=True encodes a list of them as one value."""
    chosen = SHAPES[shape]
    return {"json": json_codec(), "pickle": pickle_codec(), "msgpack": msgpack_codec(), "cbor": cbor_codec(),
            "protobuf": protobuf_codec(proto, chosen.message, many), "avro": avro_codec(chosen.avro, many)}
