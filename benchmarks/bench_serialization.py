"""Serialization: the one observation in six formats, its size in bytes and median encode and decode times."""
from helpers.serialization import FORMATS, OBSERVATION, codecs, compile_proto, measure_all


def run(results):
    """The serialization keys for benchmarks/results.json: ser_bytes_<fmt>, ser_encode_us_<fmt>, ser_decode_us_<fmt>."""
    out = {}
    with compile_proto() as proto:
        measured = measure_all(codecs(proto), OBSERVATION, runs=25, min_run_s=0.02)
    assert [m.format for m in measured] == list(FORMATS)
    for m in measured:
        out[f"ser_bytes_{m.format}"] = m.size
        out[f"ser_encode_us_{m.format}"] = round(m.encode_us, 3)
        out[f"ser_decode_us_{m.format}"] = round(m.decode_us, 3)
    return out


if __name__ == "__main__":
    print(run({}))
