"""The portal's pages by role (`employer/`, `staff/`, and the pages for anyone), and `ui/`, the Streamlit glue
they share. A regular package, so no other `pages` on the path (such as `tests/pages`) can shadow it."""
