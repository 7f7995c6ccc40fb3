"""Report photos: opened and checked by Pillow, capped in pixels (a decompression bomb gets a
message, not a 500), stored in the database without their metadata, served from there."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from sqlmodel import select

from grants import migrate
from grants.awards.models import Payment
from grants.db import db
from grants.reporting.models import Report, ReportPhoto
from tests import factories
from tests.test_awards import _accepted_small_grant



# The revision just before the one that moved photos into the database.
BEFORE_PHOTOS = "h3a2fac00010"

def phone_photo(format: str = "JPEG") -> bytes:
    """A 40 x 20 photo whose EXIF names the phone, where it stood (GPS) and that it was held sideways."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = 6  # shown turned a quarter clockwise: 20 wide, 40 high
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (52.0, 28.0, 48.0),
        ExifTags.GPS.GPSLongitudeRef: "W", ExifTags.GPS.GPSLongitude: (1.0, 54.0, 0.0)})
    return factories.image_bytes(format, size=(40, 20), colour=(200, 10, 10), exif=exif)


def bomb(side: int = 30_000) -> bytes:
    """A valid black-and-white PNG of side x side pixels (900 megapixels) in about 100 kB."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (side + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row * 1000) for _ in range(side // 1000)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def _report_url(w) -> str:
    return f"/c/west/grants/{w['grant'].id}/reports/{w['report'].id}"


def _upload(client, w, photo: bytes, name: str = "walk.jpg"):
    return client.post(_report_url(w), data={"what_happened": "Walks", "photo": (io.BytesIO(photo), name), "save": "y"},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("format, content_type", [("JPEG", "image/jpeg"), ("PNG", "image/png")])
def test_a_photo_is_stored_in_the_database_without_exif_or_gps(app, client, format, content_type):
    w = _accepted_small_grant(app)
    factories.login(client, w["applicants"][2])
    upload = phone_photo(format)
    assert b"PhoneMaker" in upload
    assert _upload(client, w, upload).status_code == 302
    with app.app_context():
        stored = db.session.exec(select(ReportPhoto)).one()
        assert (stored.report_id, stored.content_type, stored.size) == (w["report"].id, content_type, len(stored.content))
        with Image.open(io.BytesIO(stored.content)) as image:
            assert image.format == format
            assert not image.getexif() and not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
            assert "exif" not in image.info and "icc_profile" not in image.info
            assert image.size == (20, 40)  # turned upright, since its orientation tag is gone
        assert b"PhoneMaker" not in stored.content
    served = client.get(_report_url(w) + "/photo")
    assert served.status_code == 200 and served.mimetype == content_type
    with app.app_context():
        assert served.data == db.session.exec(select(ReportPhoto.content)).one()
    assert not [path for path in Path(app.instance_path).rglob("*") if path.is_file()
                and path.suffix in (".jpg", ".png")]  # nothing on the host's disk


@pytest.mark.parametrize("pixel_limit", [None, 10**12])
def test_a_decompression_bomb_is_refused_beside_the_field(app, client, pixel_limit):
    """Refused by our own cap on the header's size, or (with that cap lifted) by Pillow's bomb check."""
    if pixel_limit:
        app.config["REPORT_PHOTO_PIXELS"] = pixel_limit
    w = _accepted_small_grant(app)
    factories.login(client, w["applicants"][2])
    payload = bomb()
    assert len(payload) < 1024 * 1024
    response = _upload(client, w, payload, "walk.png")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="photo-error"' in page and "megapixels or fewer" in page
    assert "Walks" in page  # what was typed is kept
    with app.app_context():
        assert db.session.exec(select(ReportPhoto)).first() is None
        assert db.session.get(Report, w["report"].id).what_happened == ""


@pytest.mark.parametrize("payload", [
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 200 + b"IEND\xaeB`\x82",       # the old check's first and last bytes, nothing else
    factories.image_bytes("JPEG")[:-200] + b"\xff\xd9",                # a truncated JPEG
    factories.image_bytes("GIF"),
])
def test_a_file_that_only_looks_like_a_photo_is_refused(app, client, payload):
    w = _accepted_small_grant(app)
    factories.login(client, w["applicants"][2])
    page = _upload(client, w, payload).get_data(as_text=True)
    assert 'id="photo-error"' in page and "must be a JPEG or PNG" in page
    with app.app_context():
        assert db.session.exec(select(ReportPhoto)).first() is None


def test_the_migration_moves_old_photo_files_into_the_database(app_config, tmp_path):
    """A database from before the photos moved: a real grant's report, its photo a named file.

    The world is made at the current schema and taken back to before the photos moved (the models
    are today's: an old schema would not have their newer columns); going back writes the photo out
    as a file, and going forward again must read it in, re-encoded, and remove the file."""
    from grants import create_app

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    migrate.upgrade(url)
    instance = tmp_path / "instance"
    app = create_app({**app_config, "DATABASE_URL": url, "INSTANCE_PATH": str(instance)})
    try:
        w = _accepted_small_grant(app)
        with app.app_context():
            photo = phone_photo("JPEG")        # as a phone took it, EXIF and all
            db.session.add(ReportPhoto(report_id=w["report"].id, content=photo, content_type="image/jpeg",
                                       size=len(photo), width=20, height=40))
            db.session.commit()
            db.session.close()
            migrate.downgrade(url, BEFORE_PHOTOS)
            folder = instance / "uploads" / "reports"
            assert [path.suffix for path in folder.iterdir()] == [".jpg"]  # written out, as before
            migrate.upgrade(url)
            stored = db.session.get(ReportPhoto, w["report"].id)
            with Image.open(io.BytesIO(stored.content)) as image:
                assert (image.format, image.size, dict(image.getexif())) == ("JPEG", (20, 40), {})
            # Rebuilding the tables (batch mode) deleted nothing that refers to them.
            assert db.session.exec(select(Report)).one().id == w["report"].id
            assert len(db.session.exec(select(Payment)).all()) == 1
            db.session.close()
            assert not any(folder.iterdir())
            migrate.downgrade(url, BEFORE_PHOTOS)
            assert [path.suffix for path in folder.iterdir()] == [".jpg"]  # written back out
    finally:
        app.extensions["commonpot_db"].dispose()
