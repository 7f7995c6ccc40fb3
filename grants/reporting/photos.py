"""Report photos: opened and checked with Pillow, never trusted by their name or first bytes.

A photo is refused, with a message beside the field, when it is not a JPEG or PNG Pillow can read
whole, when its file is over ``REPORT_PHOTO_BYTES``, or when it has more than
``REPORT_PHOTO_PIXELS`` pixels: the size in its header is checked before any pixel is decoded, so
a decompression bomb (a small file that unpacks into gigabytes) is refused without being unpacked.

What is kept is re-encoded from the pixels alone: EXIF (with the GPS position of where a community
member stood), comments, XMP and embedded profiles are gone. The photo is first turned the way its
EXIF orientation said, since that tag goes too, and made no larger than ``LONGEST_SIDE`` pixels,
enough for a page or a printed report.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from grants.errors import Refused

CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
# 25 megapixels: more than a phone's camera takes, a small fraction of Pillow's own bomb limit.
DEFAULT_MAX_PIXELS = 25_000_000
LONGEST_SIDE = 2400
JPEG_QUALITY = 85


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    content_type: str
    width: int
    height: int


def clean_photo(data: bytes) -> CleanPhoto:
    """The uploaded photo re-encoded without metadata, or Refused (field ``photo``)."""
    limit = current_app.config.get("REPORT_PHOTO_BYTES", 1024 * 1024)
    if len(data) > limit:
        raise Refused(_("The photo must be smaller than %(size)s MB", size=limit // (1024 * 1024)), field="photo")
    max_pixels = current_app.config.get("REPORT_PHOTO_PIXELS", DEFAULT_MAX_PIXELS)
    try:
        with Image.open(io.BytesIO(data), formats=list(CONTENT_TYPES)) as header:
            width, height = header.size
            if width * height > max_pixels:
                raise _too_many_pixels(max_pixels)
            header.verify()  # the whole file's structure and checksums, before decoding it
        with Image.open(io.BytesIO(data), formats=list(CONTENT_TYPES)) as image:
            kind = image.format
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels(max_pixels) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise Refused(_("The photo must be a JPEG or PNG image"), field="photo") from error
    return _reencoded(upright, kind)


def _too_many_pixels(max_pixels: int) -> Refused:
    return Refused(_("The photo must be %(size)s megapixels or fewer: choose a smaller photo",
                     size=max_pixels // 1_000_000), field="photo")


def _reencoded(image: Image.Image, kind: str) -> CleanPhoto:
    if kind == "JPEG":
        pixels = image.convert("L" if image.mode in ("1", "L") else "RGB")
    else:
        transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        pixels = image.convert("RGBA" if transparent else "RGB")
    pixels.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    # A new image from the pixels alone: nothing of the upload's ``info`` (EXIF, XMP, ICC, text) comes along.
    bare = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if kind == "JPEG":
        bare.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        bare.save(out, format="PNG", optimize=True)
    return CleanPhoto(out.getvalue(), CONTENT_TYPES[kind], *bare.size)


__all__ = ["CleanPhoto", "clean_photo"]
