"""Install time: the data docs' web assets from the npm registry into the assets cache (.cache/docs-assets).

`python -m tasks.quality.fetch_docs_assets` (run by `make docs-assets`, which `make run` and `make test` need):
each tarball is checked against npm's pinned sha512 integrity, and each file taken from it against the
pinned sha256 (docs_assets.sha256), before it lands in the cache. A second run finds every file in place
and downloads nothing. `--lock` rewrites the sha256 pins from verified tarballs (after a pin change).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

from tasks.quality.docs_assets import LOCK_FILE, NpmPackage, packages, pinned_hashes
from tasks.settings import get_settings

IN_PLACE = " in place"


class AssetIntegrityError(RuntimeError):
    """A download is not what the pins vouch for: nothing of it is used."""


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def in_place(assets: Path, files: dict[str, str]) -> bool:
    """Every file present in the cache with its pinned hash."""
    return all(
        (assets / path).is_file() and sha256_of(assets / path) == digest for path, digest in files.items()
    )


def check_integrity(body: bytes, integrity: str, what: str) -> None:
    """Raise unless `body` has the Subresource-Integrity-style digest `integrity` ("sha512-<base64>")."""
    algorithm, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, body).digest()).decode()
    if actual != expected:
        raise AssetIntegrityError(f"{what}: {algorithm} is {actual}, pinned {expected}")


def download(package: NpmPackage) -> bytes:
    """The package's tarball, checked against its pinned npm integrity."""
    assert package.tarball_url.startswith("https://")
    with urllib.request.urlopen(package.tarball_url, timeout=120) as response:  # noqa: S310 (https only)
        body: bytes = response.read()
    check_integrity(body, package.integrity, package.tarball_url)
    return body


def members(tarball: bytes, wanted: list[str]) -> dict[str, bytes]:
    """The wanted files (and every file under the wanted folders) of an npm tarball (`package/...`)."""
    found: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member in archive.getmembers():
            path = member.name.split("/", 1)[-1]
            if member.isfile() and any(path == w or (w.endswith("/") and path.startswith(w)) for w in wanted):
                extracted = archive.extractfile(member)
                assert extracted is not None
                found[path] = extracted.read()
    missing = [w for w in wanted if not any(p == w or p.startswith(w) for p in found)]
    if missing:
        raise AssetIntegrityError(f"not in the tarball: {', '.join(missing)}")
    return found


def fetch(assets: Path, lock: bool = False) -> list[str]:
    """Fill the cache; returns one line per package. With `lock`, returns the new sha256 pins instead."""
    pins = {} if lock else pinned_hashes()
    lines: list[str] = []
    for package, wanted in packages().items():
        prefix = package.folder + "/"
        mine = {path: digest for path, digest in pins.items() if path.startswith(prefix)}
        if not lock and mine and in_place(assets, mine):
            lines.append(f"{package.folder}: {len(mine)} files{IN_PLACE}")
            continue
        files = {prefix + path: body for path, body in members(download(package), wanted).items()}
        if lock:
            lines += [f"{hashlib.sha256(body).hexdigest()}  {path}" for path, body in sorted(files.items())]
            continue
        wrong = sorted(
            set(files) ^ set(mine)
            | {p for p, b in files.items() if p in mine and hashlib.sha256(b).hexdigest() != mine[p]}
        )
        if wrong:
            raise AssetIntegrityError(f"{package.folder}: files differ from {LOCK_FILE.name}: {wrong}")
        assets.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=assets, prefix=".fetch-") as staging:
            for path, body in files.items():
                target = Path(staging) / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(body)
            final = assets / package.folder
            shutil.rmtree(final, ignore_errors=True)
            final.parent.mkdir(parents=True, exist_ok=True)
            (Path(staging) / package.folder).rename(final)
        lines.append(f"{package.folder}: fetched ({len(files)} files, {package.tarball_url})")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lock", action="store_true", help="print new sha256 pins into docs_assets.sha256")
    args = parser.parse_args(argv)
    assets = get_settings().docs_assets_dir
    try:
        lines = fetch(assets, lock=args.lock)
    except (OSError, AssetIntegrityError) as error:
        print(f"docs-assets: {error}", file=sys.stderr)
        return 1
    if args.lock:
        LOCK_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"docs-assets: {len(lines)} pins written to {LOCK_FILE}")
    else:
        fetched = [line for line in lines if not line.endswith(IN_PLACE)]
        print("".join(f"docs-assets: {line}\n" for line in fetched), end="")
        print(f"docs-assets: {len(lines)} npm packages ready in {assets} ({len(fetched)} fetched)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
