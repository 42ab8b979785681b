"""Upload and download of photos by their SHA-256."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, put
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import PathParameter
from litestar.response import File

from ..problems import ProblemError
from ..users.models import User
from .store import MAX_BYTES, attachment_file, store_attachment

NOT_FOUND = "Deze foto is (nog) niet ontvangen of u mag hem niet zien."

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
         summary="Download a photo of a signal you may see (otherwise 404, as for an unknown one)",
         media_type="application/octet-stream",
         responses={304: ResponseSpec(None, description="Not modified (If-None-Match)")})
    def get_attachment(self, request: Request[User, str, State], state: State,
                       sha256: Sha) -> Response:
        found = attachment_file(state.db, state.settings.attachments_dir, sha256, request.user)
        if found is None:
            raise ProblemError(404, NOT_FOUND)
        path, content_type = found
        # Content-addressed, so the ETag never changes; but access can end (a deleted or
        # moved signal), so a cache must ask every time (no-cache) and keep it private.
        headers = {"Cache-Control": "private, no-cache", "ETag": f'"{sha256}"'}
        if request.headers.get("if-none-match", "").strip() in (f'"{sha256}"', f'W/"{sha256}"'):
            return Response(b"", status_code=304, headers=headers)
        return File(path, media_type=content_type, content_disposition_type="inline",
                    headers=headers)
