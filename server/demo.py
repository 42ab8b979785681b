"""Demo accounts and signals, for `serve --demo` and `make run` only."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from .areas.store import AreaCatalog
from .db import Database
from .signals.models import Location, SignalCreate
from .signals.service import Mutation, SignalService
from .timeutil import LOCAL, now
from .users.models import User
from .users.store import add_user, get_user

# (username, role, areas, password). Printed at start; never use them in production.
# No areas here means all areas (the teamleider; a beheerder always sees all).
DEMO_USERS = [
    ("regisseur", "gebiedsregisseur", ["WK017104", "WK017105", "WK017106"], "regisseur-demo"),
    ("teamleider", "teamleider", [], "teamleider-demo"),
    ("beheerder", "beheerder", [], "beheerder-demo"),
]

# (category, subcategory, source, text): what area directors typically hear.
_EXAMPLES = [
    ("jeugd", "jeugdoverlast", "inwoner", "Groep jongeren 's avonds bij het dorpshuis, buren klagen over lawaai."),
    ("verkeer", "snelheid", "dorpsbelang", "Dorpsbelang: auto's rijden te hard op de doorgaande weg bij de school."),
    ("woonomgeving", "speelplek", "inwoner", "Speeltoestel kapot op het veldje, kinderen spelen er toch."),
    ("eenzaamheid_zorg", "eenzaamheid", "organisatie",
     "Oudere bewoner komt de deur niet meer uit, buurvrouw maakt zich zorgen."),
    ("burenconflict", "erfgrens", "inwoner", "Ruzie over een schutting tussen twee buren loopt op."),
    ("initiatief", "bewonersinitiatief", "inwoner", "Bewoners willen een moestuin beginnen op het braakliggende stuk."),
    ("overlast", "stank", "ondernemer", "Stank van mestopslag bij de rand van het dorp."),
    ("dienstverlening_gemeente", "bereikbaarheid", "inwoner",
     "Inwoner kreeg geen antwoord op een vraag over de afvalpas."),
    ("veiligheid", "onveilig_gevoel", "jongerenraad",
     "Jongerenraad: fietspad naar Emmeloord is 's avonds donker en voelt onveilig."),
    ("verkeer", "landbouwverkeer", "eigen_waarneming", "Veel modder op de weg door landbouwverkeer in de oogsttijd."),
]


def load_demo(db: Database, catalog: AreaCatalog, *, signals: int = 80, seed: int = 171) -> int:
    """Add the demo users and, when the database has no signals yet, demo signals."""
    for username, role, areas, password in DEMO_USERS:
        if get_user(db, username) is None:
            add_user(db, username, password, role, areas, all_areas=not areas)
    if db.query_one("SELECT 1 FROM signals LIMIT 1"):
        return 0
    rng = random.Random(seed)
    kernen = [a for a in catalog.areas if a.level == "kern"]
    author = User(username="regisseur", role="gebiedsregisseur")
    mutations = []
    today = now().astimezone(LOCAL).replace(hour=12, minute=0, second=0, microsecond=0)
    for _ in range(signals):
        kern = rng.choice(kernen)
        point = kern.geometry.representative_point()
        category, sub, source, text = rng.choice(_EXAMPLES)
        data = SignalCreate(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            category=category, subcategory=sub, source=source, description=text,
            urgency=rng.choice(["laag", "normaal", "normaal", "hoog"]),
            location=Location(lat=round(point.y + rng.uniform(-0.004, 0.004), 6),
                              lon=round(point.x + rng.uniform(-0.006, 0.006), 6),
                              accuracy_m=rng.choice([5.0, 12.0, 30.0]), method="gps"),
            observed_at=today - timedelta(days=rng.randint(0, 90), hours=rng.randint(0, 8)),
            status=rng.choice(["nieuw", "nieuw", "in_behandeling", "doorgezet", "afgesloten"]),
        )
        mutations.append(Mutation("create", str(data.id), data))
    with SignalService(db, catalog).writing() as w:
        w.apply_batch(author, mutations)
    return signals
