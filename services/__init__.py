"""Plain-Python services of the portal. Only `pages.ui` may import streamlit."""
