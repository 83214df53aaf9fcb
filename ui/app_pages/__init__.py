"""The app's pages; each file is a Streamlit page script run by ``st.navigation`` in ``ui/app.py``.

Not named ``pages/``: Streamlit lists a ``pages/`` folder beside the entry point in the sidebar by file name
("assessment", "batch") until the script has run, which a visitor saw on a cold server.
"""
