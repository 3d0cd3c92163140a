"""The versioned model file: the theme model and the spending-claim model, safe to load.

A model file is a zip of ``manifest.json`` and ``.npy`` arrays (numpy's own format, read with
``allow_pickle=False``, so loading never runs code), written with fixed timestamps so the same
model gives the same bytes. Its version is a hash of its content. The manifest records what it
was trained on (file names, record count, a hash of the labelled texts), the library versions,
and its cross-validated figures.

Which model is in use: the one an analyst accepted in the store (``models`` table) if any, else
the file the repository ships (``data/model/flankwatch-model.npz``, rebuilt by ``make train``).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from analysis.claims.learned import SpendingModel
from analysis.paths import SHIPPED_MODEL
from analysis.theme_model import FEATURES_VERSION, ThemeModel, taxonomy_fingerprint
from analysis.themes import Taxonomy

MODEL_FORMAT = "flankwatch-model"
FORMAT_VERSION = 1
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_REBUILD = "rebuild it with `flankwatch train` (or `make train`)"


class ModelFileError(ValueError):
    """A model file is missing, corrupt or stale; the message names the file and what to do."""


@dataclass(frozen=True)
class ModelBundle:
    """A fitted theme model and spending-claim model with the manifest that describes them."""

    manifest: dict[str, Any]
    themes: ThemeModel
    spending: SpendingModel

    @property
    def version(self) -> str:
        return str(self.manifest["version"])


def make_manifest(themes: ThemeModel, spending: SpendingModel, **facts: Any) -> dict[str, Any]:
    """The manifest of a freshly fitted pair; ``facts`` adds training_size, created_from, cv, ..."""
    import sklearn

    theme_meta, _ = themes.to_parts()
    spending_meta, _ = spending.to_parts()
    return {
        "format": MODEL_FORMAT, "format_version": FORMAT_VERSION, "features_version": FEATURES_VERSION,
        "taxonomy_fingerprint": theme_meta["taxonomy_fingerprint"], "learned_themes": theme_meta["themes"],
        "libraries": {"numpy": np.__version__, "scikit-learn": sklearn.__version__},
        "theme_model": theme_meta, "spending_model": spending_meta, **facts,
    }


def bundle_bytes(bundle: ModelBundle) -> bytes:
    """The model file's bytes; the same model always gives the same bytes."""
    _, theme_arrays = bundle.themes.to_parts()
    _, spending_arrays = bundle.spending.to_parts()
    arrays = {**{f"themes/{k}": v for k, v in theme_arrays.items()},
              **{f"claims/{k}": v for k, v in spending_arrays.items()}}
    manifest = {k: v for k, v in bundle.manifest.items() if k != "version"}
    content = _zip(manifest, arrays)
    version = "m1-" + hashlib.sha256(content).hexdigest()[:12]
    return _zip({**manifest, "version": version}, arrays)


def with_version(bundle: ModelBundle) -> ModelBundle:
    """The bundle with its manifest's version set from its content."""
    data = bundle_bytes(bundle)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        version = json.loads(archive.read("manifest.json"))["version"]
    return ModelBundle({**bundle.manifest, "version": version}, bundle.themes, bundle.spending)


def save_bundle(bundle: ModelBundle, path: Path | str) -> Path:
    """Write the model file atomically (a temporary file renamed into place)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(bundle_bytes(bundle))
    temporary.replace(path)
    return path


def load_bundle(path: Path | str, taxonomy: Taxonomy) -> ModelBundle:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no model file here; {_REBUILD}") from None
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read the model file ({exc})") from None
    return load_bundle_bytes(data, taxonomy, name=str(path))


def load_bundle_bytes(data: bytes, taxonomy: Taxonomy, *, name: str = "model") -> ModelBundle:
    """Check the format, the version and the taxonomy, then rebuild the models from their arrays."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "manifest.json" not in names:
            raise ModelFileError(f"{name}: not a Flankwatch model file (no manifest.json); {_REBUILD}")
        manifest = json.loads(archive.read("manifest.json").decode("utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != MODEL_FORMAT:
            raise ModelFileError(f"{name}: not a Flankwatch model file (format {manifest.get('format')!r}); {_REBUILD}")
        if manifest.get("format_version") != FORMAT_VERSION or manifest.get("features_version") != FEATURES_VERSION:
            raise ModelFileError(
                f"{name}: stale model file (format {manifest.get('format_version')}, features "
                f"{manifest.get('features_version')}; this Flankwatch reads format {FORMAT_VERSION}, features "
                f"{FEATURES_VERSION}); {_REBUILD}")
        if manifest.get("taxonomy_fingerprint") != taxonomy_fingerprint(taxonomy):
            raise ModelFileError(
                f"{name}: stale model file: it was trained with another taxonomy (themes or their terms changed since; "
                f"it learned {', '.join(manifest.get('learned_themes') or [])}); {_REBUILD} with this taxonomy")
        arrays: dict[str, dict[str, np.ndarray]] = {"themes": {}, "claims": {}}
        for member in sorted(names - {"manifest.json"}):
            part, _, key = member.removesuffix(".npy").partition("/")
            if part not in arrays or not key:
                raise ModelFileError(f"{name}: unexpected member {member!r}; {_REBUILD}")
            with archive.open(member) as handle:
                arrays[part][key] = np.lib.format.read_array(handle, allow_pickle=False)
        themes = ThemeModel.from_parts(taxonomy, manifest["theme_model"], arrays["themes"])
        spending = SpendingModel.from_parts(manifest["spending_model"], arrays["claims"])
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{name}: corrupt model file ({exc}); {_REBUILD}") from None
    except (KeyError, ValueError, IndexError, TypeError, OSError) as exc:
        raise ModelFileError(f"{name}: corrupt or incomplete model file ({type(exc).__name__}: {exc}); {_REBUILD}") from None
    return ModelBundle(manifest, themes, spending)


def _zip(manifest: dict[str, Any], arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("manifest.json", date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, json.dumps(manifest, sort_keys=True, indent=1, ensure_ascii=False))
        for key in sorted(arrays):
            array = np.asarray(arrays[key])
            if array.dtype == object:
                raise TypeError(f"model array {key!r} has dtype object; only numeric and string arrays are stored")
            member = io.BytesIO()
            np.lib.format.write_array(member, array, allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()


# -- the model in use ---------------------------------------------------------------------------------

def active_bundle(store, taxonomy: Taxonomy, *, shipped: Path | str = SHIPPED_MODEL) -> ModelBundle:
    """The analyst-accepted model of this store, else the shipped model file."""
    row = store.connection.execute(
        "SELECT version, file FROM models WHERE active ORDER BY created_at DESC LIMIT 1").fetchone()
    if row is not None:
        return load_bundle_bytes(bytes(row[1]), taxonomy, name=f"{store.path} (accepted model {row[0]})")
    return load_bundle(shipped, taxonomy)


def activate(store, bundle: ModelBundle) -> str:
    """Make this model the store's model in use (kept with the earlier ones); returns its version."""
    data = bundle_bytes(bundle)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    with store.transaction() as con:
        con.execute("UPDATE models SET active = false")
        con.execute("INSERT INTO models VALUES (?, ?, true, ?, ?)",
                    [manifest["version"], datetime.now(timezone.utc), json.dumps(manifest), data])
    return str(manifest["version"])


def deactivate(store) -> None:
    """Go back to the shipped model."""
    with store.transaction() as con:
        con.execute("UPDATE models SET active = false")
