"""Batch: placeholder until engine.batch is available."""

from __future__ import annotations

import streamlit as st

st.title("Batch")
st.info("Batch evaluation is not available in this copy of the tool yet.")
