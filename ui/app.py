"""Entry point of the Streamlit app (``sanctuary ui`` or ``streamlit run ui/app.py``): a router only."""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run ui/app.py` puts ui/ on sys.path, not the project root that holds `engine` and `ui`.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from engine import _  # noqa: E402
from ui import services  # noqa: E402
from ui.serve import no_address_lookups  # noqa: E402

# `sanctuary ui` switches the lookups off before the server starts; this covers `streamlit run ui/app.py`
# from the first page load on (a cross-origin WebSocket would otherwise ask checkip.amazonaws.com).
no_address_lookups()

# An emoji icon becomes a data: URL; a ":material/...:" icon would make the browser fetch the
# favicon from fonts.gstatic.com.
services.init_state()
# The language comes first: every word below (page titles included) is said in it.
services.apply_language()
st.set_page_config(page_title=_("Sanctuary Policy Evaluator"), page_icon="🛡️", layout="wide")

# Only CSS (no script): Streamlit puts a style-only st.html out of the page flow.
STYLE = """<style>
/* Keyboard focus on a radio or checkbox choice: a 3 px ring at 7:1 on white (the theme's own mark is faint). */
[data-testid="stRadio"] label:has(input:focus-visible),
[data-testid="stCheckbox"] label:has(input:focus-visible) {
  outline: 3px solid #0b57d0; outline-offset: 2px; border-radius: 4px;
}
/* The scorecard: a table on a wide screen, one card per component on a phone (a table cannot fit 390 px). */
@media (max-width: 640px) { .st-key-scorecard { display: none; } }
@media (min-width: 641px) { .st-key-scorecard_cards { display: none; } }
</style>"""

PAGES = [
    st.Page("app_pages/start.py", title=_("Start"), default=True, url_path="start"),
    st.Page("app_pages/assessment.py", title=_("Self-assessment"), url_path="assessment"),
    st.Page("app_pages/review.py", title=_("Review answers"), url_path="review"),
    st.Page("app_pages/results.py", title=_("Results"), url_path="results"),
    st.Page("app_pages/draft.py", title=_("Draft policy"), url_path="draft"),
    st.Page("app_pages/batch.py", title=_("Batch"), url_path="batch"),
    st.Page("app_pages/coalition.py", title=_("Coalition"), url_path="coalition"),
    st.Page("app_pages/rules.py", title=_("Rules"), url_path="rules"),
]

with st.sidebar:
    services.language_switch()
    st.caption(_("Legal information, not legal advice. Everything stays on this computer."))

# Callbacks have run by now, so this writes the latest answers (only if the person opted in).
services.autosave_if_enabled()
page = st.navigation(PAGES)
# Pages that move keyboard focus on arrival (the Self-assessment page) need to know a visit has begun.
services.note_page(page.url_path)
st.html(STYLE)
services.mark_document_language()
page.run()
# After the page is drawn (a page that stops or switches skips this until a later run).
services.warm_page_modules()
