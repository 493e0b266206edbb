"""The one helper for user text in Markdown-rendering calls."""

from services.text import one_line, plain


def test_plain_leaves_ordinary_names_and_sentences_alone():
    for text in ("Berg, Anne", "Åse Dæhli-Ødegård", "Linje 3 mangler trekkbeløp.", "O'Brien (vikar)"):
        assert plain(text) == text


def test_plain_escapes_what_markdown_and_streamlit_give_meaning_to():
    assert plain("**fet**") == "\\*\\*fet\\*\\*"
    assert plain("[klikk](x)") == "\\[klikk\\](x)"
    assert plain("![](x)") == "\\!\\[\\](x)"
    assert plain("<b>") == "\\<b\\>"
    assert plain(":red[rød]") == "\\:red\\[rød\\]"
    assert plain("$x$") == "\\$x\\$"
    assert plain("- punkt\n# tittel\n1. nummer") == "\\- punkt\n\\# tittel\n1\\. nummer"


def test_plain_breaks_bare_addresses_that_gfm_would_link():
    for text in ("http://evil.test", "www.evil.test", "kari@evil.test"):
        assert "\u200b" in plain(text)
        assert plain(text).replace("\u200b", "").replace("\\", "") == text


def test_one_line_removes_control_characters_and_newlines():
    assert one_line("liste\nBcc: alle@x.no\r\t.csv") == "liste Bcc: alle@x.no .csv"
    assert len(one_line("x" * 500)) == 200


def test_masked_email_keeps_the_first_letter_and_the_domain():
    from services.text import masked_email

    assert masked_email("kari.nordmann@firma.no") == "k***@firma.no"
    assert masked_email(" k@firma.no ") == "k***@firma.no"
    assert masked_email("ikke-en-adresse") == "***"
    assert masked_email("") == "***"
