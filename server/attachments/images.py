"""A photo as it may be kept: a real image, its pixels only, within a pixel budget.

Every upload is decoded with Pillow before it is stored, so bytes that only start
like an image (a JPEG header followed by HTML) never reach another user's browser.
The image is then encoded again from its pixels alone: EXIF (GPS position, camera,
owner, time), XMP, comments and text chunks are gone; the EXIF orientation is
applied to the pixels first, so the photo still stands the right way up. Only the
colour profile (ICC) and transparency, which say how the pixels look, are kept.

A photo of more than MAX_PIXELS pixels is refused before it is decoded: a small
file can unpack to gigabytes (a decompression bomb).
"""

from __future__ import annotations

import io
import warnings
from typing import Any

from PIL import Image, ImageOps, JpegImagePlugin, UnidentifiedImageError

from ..errors import Invalid, TooLarge, Unsupported

#: 50 megapixels: a 48 MP phone photo fits; the app sends at most 1600 px a side.
MAX_PIXELS = 50_000_000
#: Pillow's format name → the content type it is stored and served as.
TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
#: What an image keeps of its `info`: how its pixels look, nothing about who or where.
_KEEP_INFO = ("transparency",)
#: What Pillow reports of an image this module wrote (format details, no metadata).
_CLEAN_INFO = {"transparency", "icc_profile", "jfif", "jfif_version", "jfif_unit", "jfif_density",
               "dpi", "adobe", "adobe_transform", "progressive", "progression", "loop",
               "background", "duration", "gamma", "srgb", "aspect"}


def sniff(data: bytes) -> str | None:
    """The image type from the first bytes: JPEG, PNG or WebP only."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def clean_image(data: bytes) -> tuple[bytes, str]:
    """The photo re-encoded from its pixels (metadata gone, orientation applied) and its
    content type. Raises Unsupported (not JPEG, PNG or WebP), Invalid (does not decode)
    or TooLarge (too many pixels)."""
    if sniff(data) is None:
        raise Unsupported("body", "alleen JPEG, PNG of WebP")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            source = Image.open(io.BytesIO(data), formats=list(TYPES))
            _check_size(source.size)
            source.seek(0)  # an animation keeps its first frame only
            source.load()  # decodes every byte: a broken or truncated image fails here
            upright = ImageOps.exif_transpose(source) or source
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise TooLarge(f"De foto heeft te veel pixels; hoogstens {MAX_PIXELS // 1_000_000}"
                           " miljoen.") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise Invalid("body", "geen leesbare foto: het bestand is beschadigd, onvolledig of"
                                  " alleen het begin is een afbeelding") from None
    kind = source.format or ""
    out = io.BytesIO()
    _encode(source, upright, kind, out)
    return out.getvalue(), TYPES[kind]


def is_clean(data: bytes) -> bool:
    """Whether stored bytes are an image without metadata (as `clean_image` writes them);
    reads the header only."""
    try:
        with Image.open(io.BytesIO(data), formats=list(TYPES)) as image:
            return not image.getexif() and set(image.info) <= _CLEAN_INFO
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return False


def _check_size(size: tuple[int, int]) -> None:
    width, height = size
    if width * height > MAX_PIXELS:
        raise TooLarge(f"De foto heeft te veel pixels ({width} × {height}); hoogstens"
                       f" {MAX_PIXELS // 1_000_000} miljoen.")


def _encode(source: Image.Image, image: Image.Image, kind: str, out: io.BytesIO) -> None:
    """Save `image` (the upright pixels of `source`) as `kind` with no metadata."""
    options: dict[str, Any] = {}
    if icc := source.info.get("icc_profile"):
        options["icc_profile"] = icc
    image.info = {k: source.info[k] for k in _KEEP_INFO if k in source.info}
    if kind == "JPEG":
        # The source's own quantisation tables: no visible loss from encoding again.
        options["qtables"] = getattr(source, "quantization", None) or None
        sampling = JpegImagePlugin.get_sampling(source)
        if sampling != -1 and image.size == source.size:  # turned: the sampling would turn too
            options["subsampling"] = sampling
        if options["qtables"] is None:
            del options["qtables"]
            options["quality"] = 90
    elif kind == "WEBP":
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if image.has_transparency_data else "RGB")
        options["quality"] = 90
    image.save(out, format=kind, **options)
