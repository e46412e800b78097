"""``python -m skgen``: the tour runs, prints its table and writes a picture per family and an index."""

import pytest

from conftest import DEVICE
from skgen.__main__ import FAMILIES, main


def test_quick_tour_of_some_families(tmp_path, capsys):
    main(["--quick", "--only", "dbn", "ising", "ebm", "--output-dir", str(tmp_path), "--device", DEVICE])
    out = capsys.readouterr().out
    assert "[1/3] dbn" in out and "[3/3] ebm" in out  # a progress line per family
    for family in ("DBN", "Ising", "EBM"):
        assert any(line.startswith(family) for line in out.splitlines())  # its row of the summary table
    assert {p.name for p in tmp_path.glob("*.png")} == {"dbn.png", "ising.png", "ebm.png"}
    index = (tmp_path / "index.html").read_text()
    assert all(f'src="{name}.png"' in index for name in ("dbn", "ising", "ebm"))


def test_every_family_is_on_the_tour():
    assert set(FAMILIES) == {"rbm", "dbn", "ising", "vae", "gan", "wgan", "cgan", "infogan", "ebgan", "ebm", "pix2pix"}


def test_unknown_family_is_refused(capsys):
    with pytest.raises(SystemExit):
        main(["--only", "boltzmann"])
    assert "invalid choice" in capsys.readouterr().err
