"""The wire ⇄ row mapping: the fast column builder of creates agrees with the general one."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from server.signals.models import Location, SignalCreate
from server.signals.rows import FIELD_COLUMNS, create_columns, to_columns

locations = st.none() | st.builds(
    Location, lat=st.floats(-90, 90), lon=st.floats(-180, 180),
    accuracy_m=st.none() | st.floats(0, 100_000), method=st.sampled_from(["gps", "map", "address"]))
creates = st.builds(
    SignalCreate, category=st.text(min_size=1, max_size=8), description=st.text(min_size=1),
    source=st.sampled_from(["inwoner", "anders"]),
    subcategory=st.none() | st.text(min_size=1, max_size=8),
    urgency=st.sampled_from(["laag", "normaal", "hoog", "acuut"]), location=locations,
    observed_at=st.none() | st.datetimes(min_value=datetime(2000, 1, 1), timezones=st.just(UTC)),
    status=st.sampled_from(["nieuw", "afgesloten"]), contains_personal_data=st.booleans(),
    attachments=st.lists(st.text("0123456789abcdef", min_size=64, max_size=64), max_size=3),
    follow_up_date=st.none() | st.dates(min_value=date(2000, 1, 1)))


@given(creates)
def test_create_columns_equal_the_general_mapping(data):
    def typed(columns):  # 1 == True in Python; SQLite stores them alike, but be exact
        return {name: (type(value), value) for name, value in columns.items()}

    assert typed(create_columns(data)) == typed(to_columns(data, FIELD_COLUMNS))
