"""Reading plotly figures as the browser gets them (the JSON Streamlit sends)."""

from __future__ import annotations

import base64

import numpy as np


def trace_values(array: list | dict) -> list:
    """A trace's values: a JSON list, or plotly's typed array {"dtype", "bdata" (base64), "shape" (2-D)}."""
    if isinstance(array, dict):
        values = np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
        if "shape" in array:
            values = values.reshape([int(n) for n in str(array["shape"]).split(",")])
        return values.tolist()
    return array
