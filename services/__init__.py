"""Plain-Python services of the portal. Only `services.ui` may import streamlit."""
