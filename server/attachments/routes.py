"""Upload and download of photos by their SHA-256."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, put
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State
from litestar.params import PathParameter
from litestar.response import File

from ..problems import ProblemError
from ..users.models import User
from .store import MAX_BYTES, attachment_file, store_attachment

Sha = Annotated[str, PathParameter(pattern="^[0-9a-f]{64}$",
                                   description="SHA-256 of the bytes, lowercase hex")]


class AttachmentsController(Controller):
    path = "/attachments"
    tags = ["Bijlagen"]

    @put("/{sha256:str}", operation_id="putAttachment", request_max_body_size=MAX_BYTES + 1,
         summary="Upload a photo (JPEG, PNG, WebP, ≤ 10 MB) under its SHA-256; idempotent")
    async def put_attachment(self, request: Request[User, str, State], state: State,
                             sha256: Sha) -> Response[dict]:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BYTES:
            raise ProblemError(413, "De foto is te groot; hoogstens 10 MB.")
        data = await request.body()
        content_type, created = await sync_to_thread(
            store_attachment, state.db, state.settings.attachments_dir, sha256, data,
            request.user.username)
        return Response({"sha256": sha256, "content_type": content_type, "size": len(data)},
                        status_code=201 if created else 200)

    @get("/{sha256:str}", operation_id="getAttachment", sync_to_thread=True,
         summary="Download a photo", media_type="application/octet-stream")
    def get_attachment(self, state: State, sha256: Sha) -> File:
        found = attachment_file(state.db, state.settings.attachments_dir, sha256)
        if found is None:
            raise ProblemError(404, "Deze foto is (nog) niet ontvangen.")
        path, content_type = found
        return File(path, media_type=content_type, content_disposition_type="inline",
                    headers={"Cache-Control": "private, max-age=31536000, immutable"})
