"""app.py, the st.App the portal is served as: what it does beside Home.py."""


def test_an_error_no_page_caught_is_told_in_norwegian():
    """st.App's handler for an uncaught error: it draws its own message and keeps Streamlit's
    English exception box (with code and values) from the page."""
    import app
    from services.store_errors import StoreBusy

    assert app.app._on_script_error is app.script_error
    assert app.script_error(StoreBusy("Portalen har mye å gjøre akkurat nå — prøv igjen om litt.")) is True
    assert app.script_error(KeyError("national_id")) is True
