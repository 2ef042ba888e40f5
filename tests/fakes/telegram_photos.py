"""The fake's sendPhoto: Telegram's rules for a photo, its caption and its file_id.

A photo arrives as a multipart upload (checked like Telegram: at most 10 MB, an image it can
decode, width + height ≤ 10000, sides at most 20:1) or as a `file_id` this bot got before;
an unknown file_id or a URL is refused with Telegram's wording (the fake fetches nothing).
The caption follows the HTML rules and its 1024-character limit (after entity parsing), the
keyboard and flood rules are the ones every send obeys. The answer carries `photo` sizes with
a fresh file_id per upload and `caption`/`caption_entities` instead of text.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PIL import Image

from tests.fakes.telegram_spec import UploadedFile, bad_request

if TYPE_CHECKING:
    from tests.fakes.telegram_api import BotApi

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_SIDES = 10_000
MAX_RATIO = 20
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP"}
SIZES = (320, 1280)  # Telegram keeps a few sizes; the last is the largest
WRONG_FILE = "wrong file identifier/HTTP URL specified"


@dataclass(frozen=True)
class StoredPhoto:
    """An uploaded photo as Telegram keeps it: its sizes, shared by every message resending it."""

    sizes: tuple[dict[str, Any], ...]
    data: bytes


class PhotoMethods:
    """Mixed into BotApi: `photos` maps every file_id it handed out to its photo."""

    def m_sendPhoto(self: BotApi, params: dict[str, Any]) -> dict[str, Any]:
        chat = self.chat_for(params["chat_id"], sending=True)
        photo = self._photo(params["photo"])
        message = self.store_captioned(chat, "sendPhoto", params)
        message.photo = [dict(size) for size in photo.sizes]
        return message.to_api(chat, self.bot)

    def _photo(self: BotApi, value: Any) -> StoredPhoto:
        if isinstance(value, UploadedFile):
            return self._upload(value.content)
        stored = self.photos.get(str(value))
        if stored is None:
            raise bad_request(WRONG_FILE)
        return stored

    def _upload(self: BotApi, data: bytes) -> StoredPhoto:
        if len(data) > MAX_PHOTO_BYTES:
            raise bad_request("file is too big")
        try:
            with Image.open(io.BytesIO(data)) as image:
                kind, (width, height) = image.format, image.size
                image.verify()
        except Exception:
            raise bad_request("IMAGE_PROCESS_FAILED") from None
        if kind not in PHOTO_FORMATS:
            raise bad_request("IMAGE_PROCESS_FAILED")
        long, short = max(width, height), min(width, height)
        if width + height > MAX_SIDES or long > MAX_RATIO * short:
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        unique = uuid.uuid4().hex[:12]
        sizes = []
        for index, side in enumerate(SIZES):
            scale = min(1.0, side / long)
            file_id = f"AgAC{uuid.uuid4().hex}"
            sizes.append({
                "file_id": file_id, "file_unique_id": f"{unique}{index}",
                "width": max(1, round(width * scale)), "height": max(1, round(height * scale)),
                "file_size": len(data),
            })  # fmt: skip
        stored = StoredPhoto(tuple(sizes), data)
        for size in sizes:
            self.photos[size["file_id"]] = stored
        return stored
