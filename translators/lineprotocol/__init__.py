"""Line protocol: parse bodies into Arrow columns, precisions of every API generation."""

from .model import (
    BEYOND_RETENTION,
    TIME_COLUMN,
    FieldType,
    LineError,
    ParsedBatch,
    TableChunk,
    named_refusal,
    reported_refusal,
)
from .parser import line_text, parse_lines, split_points
from .precision import Precision, UnknownPrecision

__all__ = [
    "BEYOND_RETENTION",
    "TIME_COLUMN",
    "FieldType",
    "LineError",
    "ParsedBatch",
    "Precision",
    "TableChunk",
    "UnknownPrecision",
    "line_text",
    "named_refusal",
    "parse_lines",
    "reported_refusal",
    "split_points",
]
