"""Serialization (notebook 11): pickle and its danger, JSON's limits, binary formats measured, validation."""
from helpers.serialization.codecs import FORMATS, Codec, codecs, tag, untag
from helpers.serialization.danger import (COMMAND, MARKER, RestrictedUnpickler, crafted_pickle, restricted_loads,
                                          sign, unpickle_in_child, verified)
from helpers.serialization.feed import ObservationFeed, read_feed
from helpers.serialization.proto import compile_proto, to_dict
from helpers.serialization.shapes import OBSERVATION, OBSERVATION_AVRO, SHAPES
from helpers.serialization.show import encodings_table, hexdump, measurements_table, plot_measurements
from helpers.serialization.timing import Measurement, measure, measure_all, time_us
from helpers.serialization.validation import (ObservationModel, ObservationSchema, check_all, marshmallow_check,
                                              pydantic_check, results_table)
from helpers.serialization.widget import FormatBench, format_bench

__all__ = ["COMMAND", "Codec", "FORMATS", "FormatBench", "MARKER", "Measurement", "OBSERVATION", "OBSERVATION_AVRO",
           "ObservationFeed", "ObservationModel", "ObservationSchema", "RestrictedUnpickler", "SHAPES", "check_all",
           "codecs", "compile_proto", "crafted_pickle", "encodings_table", "format_bench", "hexdump",
           "marshmallow_check", "measure", "measure_all", "measurements_table", "plot_measurements",
           "pydantic_check", "read_feed", "restricted_loads", "results_table", "sign", "tag", "time_us", "to_dict",
           "unpickle_in_child", "untag", "verified"]
