"""Area shapes and point lookup."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.params import HeaderParameter, QueryParameter

from geo.geojson import area_to_feature

from .models import AreaCollection, Located

Lat = Annotated[float, QueryParameter(ge=-90, le=90, description="Breedtegraad (WGS84)")]
Lon = Annotated[float, QueryParameter(ge=-180, le=180, description="Lengtegraad (WGS84)")]


class AreasController(Controller):
    path = "/areas"
    tags = ["Gebieden"]

    @get("", operation_id="listAreas", sync_to_thread=False,
         summary="Area shapes as a GeoJSON FeatureCollection (WGS84)",
         media_type="application/geo+json")
    def list_areas(
        self, state: State,
        level: Annotated[Literal["kern", "wijk", "buurt"] | None, QueryParameter()] = None,
    ) -> Response[AreaCollection]:
        catalog = state.areas.fresh()
        features = [area_to_feature(a) for a in catalog.areas if level in (None, a.level)]
        body = msgspec.convert({"type": "FeatureCollection", "features": features}, AreaCollection)
        return Response(body, media_type="application/geo+json")

    @get("/offline", operation_id="listOfflineAreas", sync_to_thread=True,
         summary="All areas simplified for offline lookup on the device (GeoJSON, ETag)",
         description="Borders are simplified as a coverage (no gaps or overlaps) to within"
                     " `tolerance_m` metres; send If-None-Match to get 304 when unchanged.",
         media_type="application/geo+json")
    def offline(self, state: State,
                if_none_match: Annotated[str | None, HeaderParameter(
                    name="If-None-Match", required=False)] = None) -> Response[bytes]:
        body, etag = state.areas.fresh().device_json()
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if if_none_match and etag in [t.strip() for t in if_none_match.split(",")]:
            return Response(b"", status_code=304, headers=headers)
        return Response(body, media_type="application/geo+json", headers=headers)

    @get("/locate", operation_id="locateArea", sync_to_thread=False,
         summary="The kern, wijk and buurt a point lies in")
    def locate(self, state: State, lat: Lat, lon: Lon) -> Located:
        return state.areas.locate(lat, lon)
