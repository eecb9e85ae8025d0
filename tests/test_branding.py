"""A client's branding is read from its own folder only: the client is a name, never a path;
the logo is an image inside that folder, checked by content and size."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kpilib.branding import MAX_LOGO_BYTES, load_branding
from kpilib.cli import app
from kpilib.config import load_config
from kpilib.problems import UserError
from tests.test_cli import said


@pytest.fixture
def acme(tmp_path, monkeypatch):
    monkeypatch.setenv("KPIREPORT_PARAMS", str(tmp_path))
    assert CliRunner().invoke(app, ["new-client", "acme"]).exit_code == 0
    return tmp_path / "clients" / "acme"


@pytest.mark.parametrize("client", ["../acme", "/etc", "acme/../../x", "a b", ""])
def test_a_client_is_a_name_never_a_path(acme, client):
    with pytest.raises(UserError, match="not a path"):
        load_config(client or "/")
    result = CliRunner().invoke(app, ["validate", "--client", client or "/"])
    assert result.exit_code == 1 and "not a path" in said(result)


def test_the_logo_stays_inside_the_clients_folder(acme, tmp_path):
    (tmp_path / "secret.svg").write_text("<svg>secret</svg>", encoding="utf-8")
    (acme / "branding.yaml").write_text("logo: ../../secret.svg\n", encoding="utf-8")
    with pytest.raises(UserError, match="inside"):
        load_branding("acme")


def test_the_logo_is_an_image_by_content_and_small(acme):
    (acme / "logo.png").write_text("not an image", encoding="utf-8")
    (acme / "branding.yaml").write_text("logo: logo.png\n", encoding="utf-8")
    with pytest.raises(UserError, match="not a PNG"):
        load_branding("acme")
    (acme / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (MAX_LOGO_BYTES + 1))
    with pytest.raises(UserError, match="at most"):
        load_branding("acme")
    (acme / "logo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 100)
    (acme / "branding.yaml").write_text("logo: logo.jpg\n", encoding="utf-8")
    assert load_branding("acme").logo.startswith("data:image/jpeg;base64,")


def test_branding_yaml_is_read_with_the_bounded_loader(acme):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True))
    (acme / "branding.yaml").write_text(bomb, encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_branding("acme")
    assert "aliases expand" in str(err.value)
