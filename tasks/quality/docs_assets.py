"""The web assets Great Expectations' data docs load from CDNs, pinned to the npm packages that hold them.

GX 1.24.1's page templates (great_expectations/render/view/templates: page.j2, index_page.j2,
page_minimal.j2, js_script_imports.j2) link Bootstrap, jQuery, Popper, bootstrap-table, bootstrap-datepicker,
bootstrap-dark, Font Awesome and Vega from unpkg, jsDelivr, cdnjs and others: a closed network shows them
unstyled. Every one of those files is in an npm package of the very version the URL names; the tarballs'
integrity is npm's own (`dist.integrity`), and each file taken from them is pinned in docs_assets.sha256.
Vega's URLs name a major version only (`vega@5`): pinned here to the newest release of that major.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

NPM_REGISTRY: Final = "https://registry.npmjs.org"
# The per-file sha256 of everything taken from the tarballs, `sha256sum -c` format, paths relative to the
# assets folder (<package>@<version>/<path in the package>).
LOCK_FILE: Final = Path(__file__).with_name("docs_assets.sha256")
# GX's own logo, on GX's S3 bucket in the templates, is also in the site's static/images/ (GX copies it).
GX_WEB_ASSETS: Final = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"


@dataclass(frozen=True)
class NpmPackage:
    name: str
    version: str
    integrity: str  # npm's dist.integrity of the tarball: sha512, base64
    extra: tuple[str, ...] = ()  # folders ("webfonts/") a taken file refers to, taken whole

    @property
    def folder(self) -> str:
        """Where its files go, in the cache and in the site: `<name>@<version>`."""
        return f"{self.name}@{self.version}"

    @property
    def tarball_url(self) -> str:
        return f"{NPM_REGISTRY}/{self.name}/-/{self.name.rsplit('/', 1)[-1]}-{self.version}.tgz"


BOOTSTRAP = NpmPackage(
    "bootstrap",
    "4.3.1",
    "sha512-rXqOmH1VilAt2DyPzluTi2blhk17bO7ef+zLLPlWvG494pDxcM234pJ8wTc/6R40UWizAIIMgxjvxZg5kmsbag==",
)
BOOTSTRAP_TABLE = NpmPackage(
    "bootstrap-table",
    "1.19.1",
    "sha512-WvV+l1AI/C+zThaKmfHmi/IuayVNB0qdFyEhFx1jyZhO0oLtNJNANkCR3rvJf6Dkh72dsLElxpE/bzK9seEQLA==",
)
BOOTSTRAP_TABLE_1_19_0 = NpmPackage(  # the templates take the filter-control CSS from 1.19.0
    "bootstrap-table",
    "1.19.0",
    "sha512-L+USHm3X9FKocx/6yngGu12yF6r6s1Ntuc+hoIK2a2QQJjHw5kcySLiE2HY/9sEaSGAOfPbfQOtBH3uKkcpqEA==",
)
DATEPICKER = NpmPackage(
    "bootstrap-datepicker",
    "1.9.0",
    "sha512-9rYYbaVOheGYxjOr/+bJCmRPihfy+LkLSg4fIFMT9Od8WwWB/MB50w0JO1eBgKUMbb7PFHQD5uAfI3ArAxZRXA==",
)
BOOTSTRAP_DARK = NpmPackage(
    "@forevolve/bootstrap-dark",
    "1.1.0",
    "sha512-A3ucpEpxPoTVO490lZZCfjPXxv832l7mm1IxX3bXyxvgwnPGXDLyh7dWrphXKO8YBAu3EswbBEu3VSW8NRMW3A==",
)
JQUERY = NpmPackage(
    "jquery",
    "3.7.1",
    "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
)
POPPER = NpmPackage(
    "popper.js",
    "1.12.9",
    "sha512-s0EEi9xiSCdqz9lV4IiVH5yIZnDX/U1t0tCjB+0jXx9jW8lrR7kOpVupiUg175ogqVoudpDXHF1p6dKATCHMeg==",
)
FONT_AWESOME = NpmPackage(
    "@fortawesome/fontawesome-free",
    "6.6.0",
    "sha512-60G28ke/sXdtS9KZCpZSHHkCbdsOGEhIUGlwq6yhY74UpTiToIh8np7A8yphhM4BWsvNFtIvLpi4co+h9Mr9Ow==",
    extra=("webfonts/",),  # css/all.min.css loads ../webfonts/*
)
VEGA = NpmPackage(
    "vega",
    "5.33.1",
    "sha512-1fArfVDUqVbb5z8n+/nVQb+VNBzx8svY6CrsyTK4Ujm4yrd9I1auoKxBAPXLCavY1LcrbHUskQbGUP8gXOzyQw==",
)
VEGA_LITE = NpmPackage(
    "vega-lite",
    "5.23.0",
    "sha512-l4J6+AWE3DIjvovEoHl2LdtCUkfm4zs8Xxx7INwZEAv+XVb6kR6vIN1gt3t2gN2gs/y4DYTs/RPoTeYAuEg6mA==",
)
VEGA_EMBED = NpmPackage(
    "vega-embed",
    "6.29.0",
    "sha512-PmlshTLtLFLgWtF/b23T1OwX53AugJ9RZ3qPE2c01VFAbgt3/GSNI/etzA/GzdrkceXFma+FDHNXUppKuM0U6Q==",
)

# Every CDN URL in GX 1.24.1's templates -> (package, file in it). jsDelivr serves a package's `jsdelivr`
# file when the URL names no file (vega, vega-lite, vega-embed: build/<name>.min.js).
CDN_FILES: Final[dict[str, tuple[NpmPackage, str]]] = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": (
        BOOTSTRAP,
        "dist/css/bootstrap.min.css",
    ),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        BOOTSTRAP,
        "dist/js/bootstrap.min.js",
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        BOOTSTRAP_TABLE,
        "dist/bootstrap-table.min.css",
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        BOOTSTRAP_TABLE,
        "dist/bootstrap-table.min.js",
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        BOOTSTRAP_TABLE,
        "dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        BOOTSTRAP_TABLE_1_19_0,
        "dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": (
        BOOTSTRAP_TABLE_1_19_0,
        "dist/extensions/filter-control/bootstrap-table-filter-control.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        DATEPICKER,
        "dist/css/bootstrap-datepicker.min.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        DATEPICKER,
        "dist/js/bootstrap-datepicker.min.js",
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": (
        BOOTSTRAP_DARK,
        "dist/css/bootstrap-prefers-dark.css",
    ),
    "https://code.jquery.com/jquery-3.7.1.min.js": (JQUERY, "dist/jquery.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": (
        POPPER,
        "dist/umd/popper.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        FONT_AWESOME,
        "css/all.min.css",
    ),
    "https://cdn.jsdelivr.net/npm/vega@5": (VEGA, "build/vega.min.js"),
    "https://cdn.jsdelivr.net/npm/vega-lite@5": (VEGA_LITE, "build/vega-lite.min.js"),
    "https://cdn.jsdelivr.net/npm/vega-embed@6": (VEGA_EMBED, "build/vega-embed.min.js"),
}


def packages() -> dict[NpmPackage, list[str]]:
    """Each package and what to take from it: the files the URLs name, then its extra folders."""
    taken: dict[NpmPackage, list[str]] = {}
    for package, path in CDN_FILES.values():
        taken.setdefault(package, []).append(path)
    for package, paths in taken.items():
        paths.extend(package.extra)
    return taken


def local_path(url: str) -> str | None:
    """The file a CDN URL names, relative to the assets folder; None for a URL not pinned here."""
    found = CDN_FILES.get(url)
    return None if found is None else f"{found[0].folder}/{found[1]}"


def pinned_hashes(lock_file: Path = LOCK_FILE) -> dict[str, str]:
    """Relative path -> sha256 of every pinned file."""
    hashes: dict[str, str] = {}
    for line in lock_file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, _, path = line.partition("  ")
            hashes[path] = digest
    return hashes
