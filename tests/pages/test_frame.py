"""The frame around every page: the logo drawn from the union's name when no file is given."""

from pages.ui.frame import name_logo


def test_the_name_logo_escapes_the_union_name():
    drawn = name_logo("Fag & <Forbund>")
    assert "Fag &amp; &lt;Forbund&gt;" in drawn and drawn.startswith("<svg")
