"""Area shapes and point lookup."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.params import QueryParameter

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

    @get("/locate", operation_id="locateArea", sync_to_thread=False,
         summary="The kern, wijk and buurt a point lies in")
    def locate(self, state: State, lat: Lat, lon: Lon) -> Located:
        return state.areas.locate(lat, lon)
