"""MkDocs hooks of polygrad's documentation site (``hooks:`` in mkdocs.yml).

- Pages written by other parts of the project (``conformance.md``, ``reliability.md``) get a
  placeholder while they do not exist yet, so that links to them never break the strict build.
- A few repository files outside ``docs/`` are mirrored into the site under ``repo/`` (the
  benchmarks' README and its figure, the CuPy plugin's README).
- Links are written as they work on a code host, relative to the file in the repository
  (``../benchmarks/README.md`` from ``docs/performance.md``); here they are resolved to the page
  that mirrors the target, and a link to any other repository file becomes its path in code font.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent

#: pages others own: shown as a placeholder until they are written
PLACEHOLDERS = {
    "conformance.md": ("The conformance suite", "how the finite-difference conformance suite "
                       "works, what it checks and how to read its reports"),
    "reliability.md": ("Reliability", "error messages, NaN debugging, threads and memory"),
}

#: repository files mirrored under repo/ when they exist
MIRRORED = ("benchmarks/README.md", "benchmarks/results/latest.png",
            "examples/plugins/polygrad-cupy/README.md")

LINK = re.compile(r"(!?\[[^\]\n]*\])\(([^)\s]+)\)")
FENCE = re.compile(r"^(\s*)(```|~~~)")


def on_files(files, config):
    for name, (title, what) in PLACEHOLDERS.items():
        if files.get_file_from_path(name) is None:
            text = (f"# {title}\n\nThis page, on {what}, is being written. Until it lands, see "
                    f"`docs/{name}` in the repository.\n")
            files.append(File.generated(config, name, content=text))
    for path in MIRRORED:
        source = ROOT / path
        if source.is_file():
            files.append(File.generated(config, f"repo/{path}", abs_src_path=str(source)))
    return files


def _repo_path(src_uri: str) -> str:
    """Where a page's source lives in the repository."""
    return src_uri[len("repo/"):] if src_uri.startswith("repo/") else f"docs/{src_uri}"


def _target(page_uri: str, link: str, files) -> str | None:
    """The link resolved for the site, or None for a repository file the site does not have."""
    path, _, anchor = link.partition("#")
    if not path or re.match(r"^[a-z][a-z0-9+.-]*:", path) or path.startswith("/"):
        return link
    here = posixpath.dirname(_repo_path(page_uri))
    repo = posixpath.normpath(posixpath.join(here, path))
    if repo.startswith("docs/"):
        site_uri = repo[len("docs/"):]
    elif repo in MIRRORED and (ROOT / repo).is_file():
        site_uri = f"repo/{repo}"
    else:
        return None
    if files.get_file_from_path(site_uri) is None:
        return link           # leave it: the strict build reports a broken link
    rel = posixpath.relpath(site_uri, posixpath.dirname(page_uri) or ".")
    return rel + (f"#{anchor}" if anchor else "")


def on_page_markdown(markdown, page, config, files):
    out, fence = [], None
    for line in markdown.split("\n"):
        match = FENCE.match(line)
        if match:
            fence = None if fence == match.group(2) else (fence or match.group(2))
        if fence is None and not match:
            line = LINK.sub(lambda m: _rewrite(m, page.file.src_uri, files), line)
        out.append(line)
    return "\n".join(out)


def _rewrite(match, page_uri: str, files) -> str:
    text, link = match.group(1), match.group(2)
    target = _target(page_uri, link, files)
    if target is not None:
        return f"{text}({target})"
    path = posixpath.normpath(posixpath.join(posixpath.dirname(_repo_path(page_uri)), link))
    label = text[1:-1] if not text.startswith("!") else text[2:-1]
    return f"{label} (`{path}` in the repository)" if label.strip("`") != path else f"`{path}`"
