"""The Streamlit app (``sanctuary ui``): self-assessment, results, draft policy, batch and rules pages."""
