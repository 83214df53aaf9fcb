"""Entry point of the Streamlit app (``sanctuary ui`` or ``streamlit run ui/app.py``): a router only."""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run ui/app.py` puts ui/ on sys.path, not the project root that holds `engine` and `ui`.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from ui import services  # noqa: E402

# An emoji icon becomes a data: URL; a ":material/...:" icon would make the browser fetch the
# favicon from fonts.gstatic.com.
st.set_page_config(page_title="Sanctuary Policy Evaluator", page_icon="🛡️", layout="wide")
services.init_state()

PAGES = [
    st.Page("pages/start.py", title="Start", default=True, url_path="start"),
    st.Page("pages/assessment.py", title="Self-assessment", url_path="assessment"),
    st.Page("pages/review.py", title="Review answers", url_path="review"),
    st.Page("pages/results.py", title="Results", url_path="results"),
    st.Page("pages/draft.py", title="Draft policy", url_path="draft"),
    st.Page("pages/batch.py", title="Batch", url_path="batch"),
    st.Page("pages/coalition.py", title="Coalition", url_path="coalition"),
    st.Page("pages/rules.py", title="Rules", url_path="rules"),
]

with st.sidebar:
    st.caption("Legal information, not legal advice. Everything stays on this computer.")

# Callbacks have run by now, so this writes the latest answers (only if the person opted in).
services.autosave_if_enabled()
st.navigation(PAGES).run()
# After the page is drawn (a page that stops or switches skips this until a later run).
services.warm_page_modules()
