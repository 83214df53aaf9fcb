"""The app's pages; each file is a Streamlit page script run by ``st.navigation`` in ``ui/app.py``."""
