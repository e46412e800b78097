"""The code in the README and the user guides runs as written.

Each page's ```python blocks run in order in one namespace (a page reads
like one session), on data that ships with scikit-learn or skgen; a block
that fails is a stale page. Estimators there keep device="auto".
"""

import re
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "doc" / "index.md", *sorted((ROOT / "doc" / "user_guide").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks(page):
    return BLOCK.findall(page.read_text())


@pytest.mark.parametrize("page", [p for p in PAGES if python_blocks(p)], ids=lambda p: str(p.relative_to(ROOT)))
def test_code_blocks_run_in_order(page, monkeypatch, tmp_path):
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)  # pictures a page saves land here
    namespace = {"__name__": "__docs__"}
    for number, code in enumerate(python_blocks(page), start=1):
        try:
            exec(compile(code, f"{page.name} block {number}", "exec"), namespace)
        except Exception as error:
            raise AssertionError(f"{page.name}, python block {number} failed: {error!r}\n{code}") from error


def test_readme_names_every_public_estimator():
    import skgen

    readme = (ROOT / "README.md").read_text()
    missing = [name for name in skgen.__all__ if f"`{name}`" not in readme]
    assert not missing, f"README.md does not mention {missing}"
