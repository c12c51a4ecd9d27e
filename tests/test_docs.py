"""The documentation works as written: README.md and the manual in docs/.

- Every internal link and image of README.md and docs/*.md resolves: relative paths to
  existing files, ``#anchors`` to a heading of the target page (with the id both GitHub
  and the built site give it). No network: external links are only checked for scheme.
- docs/ pages link only inside docs/ (the built site has nothing else), and every page
  is in mkdocs.yml's nav, every nav entry a page; ``mkdocs build --strict`` succeeds.
- The README's tour runs exactly as written, from the repository's root, after the
  README's set-up (``make install`` and ``. .venv/bin/activate``).
- The README stays a front page: at most 150 lines, and its figures table is the
  summary table of docs/performance.md.

The docs pages' ``>>>`` examples run as doctests through the Makefile's pytest line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
PAGES = sorted(DOCS.rglob("*.md"))
MARKDOWN = [README, *PAGES]

_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
# [text](target "title") and ![alt](target); the text may hold one level of brackets
_INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]"  # [text] or ![alt]
    r"\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)"  # (target "title")
)
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$")
_HTML_ATTR = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']*)["']""")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks, with code spans blanked."""
    lines: list[tuple[int, str]] = []
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = _FENCE.match(line)
        if match:
            if fence is None:
                fence = match.group(1)
                continue
            if match.group(1) == fence:
                fence = None
                continue
        if fence is None:
            lines.append((number, _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)))
    return lines


def _links(path: Path) -> list[tuple[int, str]]:
    """Every link target of a Markdown file: inline links, images, references, HTML."""
    found: list[tuple[int, str]] = []
    for number, line in _prose_lines(path.read_text(encoding="utf-8")):
        for pattern in (_INLINE_LINK, _REFERENCE, _HTML_ATTR):
            found.extend((number, m.group(1)) for m in pattern.finditer(line))
    return found


def _heading_text(raw: str) -> str:
    """A heading's rendered text: links become their text, code and emphasis marks go."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", raw)
    return re.sub(r"[`*]", "", text)


def _github_slug(text: str) -> str:
    """GitHub's heading id: lower case, punctuation dropped, each space a hyphen."""
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def _mkdocs_slug(text: str) -> str:
    """Python-Markdown toc's default id (what mkdocs gives the heading on the site)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def _unique(slugs: list[str], separator: str) -> set[str]:
    """Ids as the renderer dedupes repeated headings: ``x``, ``x<sep>1``, ``x<sep>2``."""
    seen: Counter[str] = Counter()
    ids: set[str] = set()
    for slug in slugs:
        ids.add(slug if not seen[slug] else f"{slug}{separator}{seen[slug]}")
        seen[slug] += 1
    return ids


def _anchors(path: Path) -> set[str]:
    """The anchors a link may use: ids GitHub and the built site give alike."""
    texts = [
        _heading_text(m.group(2))
        for _, line in _prose_lines(path.read_text(encoding="utf-8"))
        if (m := _HEADING.match(line))
    ]
    github = _unique([_github_slug(t) for t in texts], "-")
    site = _unique([_mkdocs_slug(t) for t in texts], "_")
    return github & site


def _problem(source: Path, target: str) -> str | None:
    """Why a link target of ``source`` is broken, or None when it resolves."""
    if _SCHEME.match(target):
        scheme = target.split(":", 1)[0].lower()
        return None if scheme in {"http", "https", "mailto"} else f"scheme {scheme!r}"
    if target.startswith("/"):
        return "absolute path (use a relative link)"
    path_part, _, anchor = target.partition("#")
    resolved = (source.parent / path_part).resolve() if path_part else source.resolve()
    if not resolved.is_relative_to(ROOT.resolve()):
        return "points outside the repository"
    if source.is_relative_to(DOCS) and not resolved.is_relative_to(DOCS.resolve()):
        return "a docs page may link only inside docs/ (the site has nothing else)"
    if not resolved.exists():
        return "no such file"
    if anchor:
        if resolved.suffix != ".md":
            return f"#{anchor} on a file that is not Markdown"
        if anchor not in _anchors(resolved):
            return f"no heading with id #{anchor} in {resolved.relative_to(ROOT.resolve())}"
    return None


def test_every_internal_link_and_anchor_resolves() -> None:
    broken = [
        f"{source.relative_to(ROOT)}:{number}: {target}: {problem}"
        for source in MARKDOWN
        for number, target in _links(source)
        if (problem := _problem(source, target)) is not None
    ]
    assert broken == []


def test_link_checker_finds_what_is_broken(tmp_path: Path) -> None:
    """The checker itself: a missing file, a missing anchor and a link in code."""
    page = DOCS / "quantities.md"
    assert _problem(page, "nope.md") == "no such file"
    assert _problem(page, "performance.md#no-such-heading") is not None
    assert _problem(page, "performance.md#quantities") is None
    assert _problem(page, "#quantities") is None
    assert _problem(page, "../README.md") is not None
    assert _problem(README, "docs/kubernetes-quantities.md#pinned-choices-podfit") is None
    sample = tmp_path / "sample.md"
    sample.write_text(
        '# A — b\n\n[x](a.md) `[y](b.md)`\n\n```\n[z](c.md)\n```\n![i](d.png "t")\n'
        '[r]: e.md\n<a href="f.md">f</a>\n',
        encoding="utf-8",
    )
    assert [t for _, t in _links(sample)] == ["a.md", "d.png", "e.md", "f.md"]
    # GitHub keeps both hyphens around a dropped dash, the site collapses them
    assert _anchors(sample) == set()


def test_every_page_is_in_the_nav_and_every_nav_entry_is_a_page() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def entries(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, list):
            return [e for item in node for e in entries(item)]
        if isinstance(node, dict):
            return [e for value in node.values() for e in entries(value)]
        raise AssertionError(f"unexpected nav entry {node!r}")

    nav = entries(config["nav"])
    assert sorted(nav) == sorted(set(nav)), "a page is in the nav twice"
    assert sorted(nav) == sorted(str(p.relative_to(DOCS)) for p in PAGES)


def test_mkdocs_builds_the_site_strictly(tmp_path: Path) -> None:
    """``mkdocs build --strict`` (as ``make docs``): warnings, broken nav or links fail."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    site = tmp_path / "site"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (site / "index.html").is_file()
    assert (site / "screenshot.png").is_file()


def _section(text: str, title: str) -> str:
    """The body of README's ``## title`` section."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def _blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", section, re.M | re.S)


def test_readme_tour_set_up_puts_podfit_on_path() -> None:
    """The set-up the tour relies on: ``make install`` fills .venv, activation adds its bin."""
    tour = _section(README.read_text(encoding="utf-8"), "A one-minute tour")
    set_up = _blocks(tour, "sh")
    assert set_up and set_up[0].split("\n")[:2] == ["make install", ". .venv/bin/activate"]
    assert tour.index("```sh") < tour.index("```console")
    make = shutil.which("make")
    assert make is not None
    dry = subprocess.run(
        [make, "-n", "-B", "install"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert dry.returncode == 0, dry.stderr
    assert "-m venv .venv" in dry.stdout
    assert "pip install --quiet -e ." in dry.stdout


def _tour_commands() -> list[tuple[str, list[str]]]:
    """(command, the output shown under it, if any) of each ``$`` line of the tour."""
    tour = _section(README.read_text(encoding="utf-8"), "A one-minute tour")
    (console,) = _blocks(tour, "console")
    commands: list[tuple[str, list[str]]] = []
    for line in console.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        else:
            commands[-1][1].append(line)
    return commands


@pytest.mark.parametrize(("command", "shown"), _tour_commands(), ids=lambda v: str(v)[:40])
def test_readme_tour_command_runs_as_written(command: str, shown: list[str]) -> None:
    """Each ``$`` line of the tour, as a shell runs it with the venv's bin first on PATH,
    exits 0 and prints exactly the output the README shows under it (if it shows any)."""
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "podfit").is_file(), f"no podfit script in {bin_dir}"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        ["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip(), "the command printed nothing"
    assert "Traceback" not in done.stderr
    if shown:
        assert [line.rstrip() for line in done.stdout.splitlines()] == shown


def test_readme_fits_on_a_few_screens() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 150


def _table_rows(text: str) -> list[str]:
    """The first Markdown table of ``text``, with link targets dropped."""
    rows: list[str] = []
    for line in text.splitlines():
        if line.startswith("|"):
            rows.append(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line))
        elif rows:
            break
    return rows


def test_readme_figures_table_is_the_performance_summary() -> None:
    readme = _table_rows(_section(README.read_text(encoding="utf-8"), "Figures"))
    summary = _table_rows((DOCS / "performance.md").read_text(encoding="utf-8"))
    assert len(readme) > 2
    assert readme == summary


def _python_blocks() -> list[tuple[str, str]]:
    """(where, code) of every ```python block without ``>>>`` (those run as doctests)."""
    return [
        (f"{path.relative_to(ROOT)}[{i}]", code)
        for path in MARKDOWN
        for i, code in enumerate(_blocks(path.read_text(encoding="utf-8"), "python"))
        if ">>>" not in code
    ]


@pytest.mark.parametrize(("where", "code"), _python_blocks(), ids=[w for w, _ in _python_blocks()])
def test_python_example_runs_as_written(where: str, code: str) -> None:
    """A Python example of the README or the manual runs from the repository's root."""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"{where}: {done.stderr}"
    assert done.stdout.strip(), f"{where} printed nothing"
