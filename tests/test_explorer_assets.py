"""Vendored assets: every file pinned in the manifest, with its licence and its checksum."""

import hashlib

import pytest

from jalinan.api.explorer.assets import VENDOR, manifest, vendor_url

PACKAGES = manifest()["packages"]


@pytest.mark.parametrize("package", PACKAGES, ids=[p["name"] for p in PACKAGES])
def test_every_vendored_file_matches_its_checksum(package: dict) -> None:
    for name, digest in package["files"].items():
        path = VENDOR / package["folder"] / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{path} differs from the manifest"


@pytest.mark.parametrize("package", PACKAGES, ids=[p["name"] for p in PACKAGES])
def test_every_vendored_package_names_its_version_and_licence(package: dict) -> None:
    assert package["version"] and package["licence"]
    assert (VENDOR / package["licence_file"]).is_file()
    assert package["licence_file"].split("/", 1)[1] in package["files"]


def test_no_vendored_file_is_missing_from_the_manifest() -> None:
    listed = {f"{p['folder']}/{name}" for p in PACKAGES for name in p["files"]}
    present = {str(path.relative_to(VENDOR)) for path in VENDOR.rglob("*") if path.is_file()}
    assert present - {"manifest.json"} == listed


def test_pages_refuse_a_vendored_file_the_manifest_does_not_list() -> None:
    with pytest.raises(KeyError):
        vendor_url("yasgui", "yasgui.esm.js")
