"""Demo accounts and a believable month of signals, for `serve --demo` and `make run` only.

Four gebiedsregisseurs cover the eleven kernen of Noordoostpolder; three months of
ordinary signals give the early-warning methods a baseline, the last month is busier,
and a run of youth-nuisance reports in Ens this week raises an alert that became a
kwestie. Some follow-ups are overdue, one signal was handed to a colleague, and two
reports "hoort bij" an earlier one: every screen has something to show.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta

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
    ("jdevries", "gebiedsregisseur", ["WK017101"], "jdevries-demo"),
    ("mbakker", "gebiedsregisseur", ["WK017102", "WK017103", "WK017110", "WK017111"], "mbakker-demo"),
    ("adekoning", "gebiedsregisseur", ["WK017107", "WK017108", "WK017109"], "adekoning-demo"),
    ("teamleider", "teamleider", [], "teamleider-demo"),
    ("beheerder", "beheerder", [], "beheerder-demo"),
]

# (category, subcategory, source, text): what area directors typically hear.
_EXAMPLES = [
    ("jeugd", "jeugdoverlast", "inwoner", "Groep jongeren 's avonds bij het dorpshuis, buren klagen over lawaai."),
    ("jeugd", "ontmoetingsplek", "dorpsbelang", "Dorpsbelang vraagt om een plek voor de jongeren nu de keet weg is."),
    ("verkeer", "snelheid", "dorpsbelang", "Dorpsbelang: auto's rijden te hard op de doorgaande weg bij de school."),
    ("verkeer", "landbouwverkeer", "eigen_waarneming", "Veel modder op de weg door landbouwverkeer in de oogsttijd."),
    ("verkeer", "parkeren", "ondernemer", "Vrachtwagens parkeren 's nachts in de woonstraat achter de supermarkt."),
    ("woonomgeving", "speelplek", "inwoner", "Speeltoestel kapot op het veldje, kinderen spelen er toch."),
    ("woonomgeving", "groen", "inwoner", "Plantsoen bij de kerk wordt niet meer gemaaid, ziet er verwaarloosd uit."),
    ("woonomgeving", "afval", "eigen_waarneming", "Bijplaatsingen naast de glasbak, al een week niet opgehaald."),
    ("eenzaamheid_zorg", "eenzaamheid", "organisatie",
     "Oudere bewoner komt de deur niet meer uit, buurvrouw maakt zich zorgen."),
    ("eenzaamheid_zorg", "mantelzorg", "inwoner", "Mantelzorger is overbelast en weet niet waar ze hulp kan vragen."),
    ("burenconflict", "erfgrens", "inwoner", "Ruzie over een schutting tussen twee buren loopt op."),
    ("burenconflict", "geluid_buren", "inwoner", "Klachten over harde muziek in een huurwoning, al weken elk weekend."),
    ("initiatief", "bewonersinitiatief", "inwoner", "Bewoners willen een moestuin beginnen op het braakliggende stuk."),
    ("initiatief", "evenement", "dorpsbelang", "Plan voor een dorpsfeest in juni, ze zoeken hulp bij de vergunning."),
    ("overlast", "stank", "ondernemer", "Stank van mestopslag bij de rand van het dorp."),
    ("dienstverlening_gemeente", "bereikbaarheid", "inwoner",
     "Inwoner kreeg geen antwoord op een vraag over de afvalpas."),
    ("veiligheid", "onveilig_gevoel", "jongerenraad",
     "Jongerenraad: fietspad naar Emmeloord is 's avonds donker en voelt onveilig."),
]

# The problem of this week: youth nuisance around the dorpshuis of Ens, heard from
# several sides (a street-level cluster the early warning should see).
_ENS_DORPSHUIS = (52.6346, 5.8302)
_OUTBREAK = [
    ("inwoner", "Weer een groep jongeren met scooters bij het dorpshuis tot na middernacht."),
    ("ondernemer", "Eigenaar van de snackbar: jongeren hangen rond de ingang, klanten blijven weg."),
    ("inwoner", "Bewoner van de Zuiderkerkstraat: vuurwerk en geschreeuw bij het dorpshuis."),
    ("dorpsbelang", "Dorpsbelang Ens meldt meerdere klachten over de jongeren bij het dorpshuis."),
    ("organisatie", "Jongerenwerker ziet een nieuwe groep die zich niet laat aanspreken."),
    ("inwoner", "Kapotte fietsen en glas op het plein bij het dorpshuis na het weekend."),
    ("eigen_waarneming", "Zelf gezien: een groep van ongeveer tien jongeren, sommigen heel jong."),
]


def _regisseur_of(kern_code: str) -> str:
    for username, role, areas, _ in DEMO_USERS:
        if role == "gebiedsregisseur" and kern_code in areas:
            return username
    return "teamleider"


def _point(rng: random.Random, kern) -> tuple[float, float]:
    point = kern.geometry.representative_point()
    return round(point.y + rng.uniform(-0.004, 0.004), 6), round(point.x + rng.uniform(-0.006, 0.006), 6)


def _new_id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def load_demo(db: Database, catalog: AreaCatalog, *, signals: int = 160, seed: int = 171) -> int:
    """Add the demo users and, when the database has no signals yet, demo signals, an alert
    and a kwestie. Returns the number of signals added."""
    for username, role, areas, password in DEMO_USERS:
        if get_user(db, username) is None:
            add_user(db, username, password, role, areas, all_areas=not areas)
    if db.query_one("SELECT 1 FROM signals LIMIT 1"):
        return 0
    rng = random.Random(seed)
    kernen = [a for a in catalog.areas if a.level == "kern"]
    weights = [a.inhabitants or 1500 for a in kernen]
    noon = now().astimezone(LOCAL).replace(hour=12, minute=0, second=0, microsecond=0)
    today = noon.date()
    by_author: dict[str, list[Mutation]] = {}

    def add(author: str, data: SignalCreate) -> str:
        by_author.setdefault(author, []).append(Mutation("create", str(data.id), data))
        return str(data.id)

    # Three months of ordinary signals, twice as many in the last month.
    for i in range(signals):
        kern = rng.choices(kernen, weights)[0]
        category, sub, source, text = rng.choice(_EXAMPLES)
        recent = i % 3 != 0
        days_ago = rng.randint(0, 29) if recent else rng.randint(30, 90)
        observed = noon - timedelta(days=days_ago, hours=rng.randint(-3, 8), minutes=rng.randint(0, 59))
        status = "afgesloten" if days_ago > 45 and rng.random() < 0.7 else \
            rng.choice(["nieuw", "nieuw", "in_behandeling", "in_behandeling", "doorgezet"])
        follow_up = None
        if status in ("nieuw", "in_behandeling") and rng.random() < 0.35:
            # Some were due already (overdue), some are due in the coming two weeks.
            follow_up = today + timedelta(days=rng.randint(-10, 14))
        lat, lon = _point(rng, kern)
        add(_regisseur_of(kern.code), SignalCreate(
            id=_new_id(rng), category=category, subcategory=sub, source=source, description=text,
            urgency=rng.choice(["laag", "normaal", "normaal", "normaal", "hoog"]),
            location=Location(lat=lat, lon=lon, accuracy_m=rng.choice([5.0, 12.0, 30.0]), method="gps"),
            observed_at=observed, status=status, follow_up_date=follow_up,
            contains_personal_data=category in ("eenzaamheid_zorg", "burenconflict") and rng.random() < 0.5,
        ))

    outbreak = _outbreak(rng, noon, add)
    _handover_and_links(rng, noon, today, add)
    with SignalService(db, catalog).writing() as w:
        for author, mutations in by_author.items():
            w.apply_batch(_user(db, author), mutations)
    _alert_and_kwestie(db, catalog, outbreak)
    return sum(len(m) for m in by_author.values())


def _user(db: Database, username: str) -> User:
    user = get_user(db, username)
    assert user is not None  # the demo users were added first
    return user


def _outbreak(rng: random.Random, noon: datetime, add) -> list[str]:
    """Seven independent reports of youth nuisance in Ens within 150 m over five days."""
    ids = []
    for n, (source, text) in enumerate(_OUTBREAK):
        lat = round(_ENS_DORPSHUIS[0] + rng.uniform(-0.0007, 0.0007), 6)
        lon = round(_ENS_DORPSHUIS[1] + rng.uniform(-0.0010, 0.0010), 6)
        ids.append(add("regisseur", SignalCreate(
            id=_new_id(rng), category="jeugd", subcategory="jeugdoverlast", source=source,
            description=text, urgency="hoog" if n in (2, 5) else "normaal",
            location=Location(lat=lat, lon=lon, accuracy_m=8.0, method="gps"),
            observed_at=noon - timedelta(days=5 - n * 5 / len(_OUTBREAK), hours=-9),
            status="in_behandeling" if n < 3 else "nieuw",
            follow_up_date=(noon - timedelta(days=1)).date() if n == 0 else None,
        )))
    return ids


def _handover_and_links(rng: random.Random, noon: datetime, today: date, add) -> None:
    """A signal the team lead handed to a regisseur, and two reports that "hoort bij" a first."""
    first = add("jdevries", SignalCreate(
        id=_new_id(rng), category="woonomgeving", subcategory="afval", source="inwoner",
        description="Zwerfafval en dumping achter de flats aan de Lange Nering, ratten gezien.",
        location=Location(lat=52.7112, lon=5.7493, accuracy_m=10.0, method="gps"),
        observed_at=noon - timedelta(days=9), status="in_behandeling",
        follow_up_date=today - timedelta(days=3),
    ))
    for days, text in ((6, "Buurman meldt opnieuw afval achter de flats aan de Lange Nering."),
                       (2, "Foto's van dezelfde dumpplek gekregen, het wordt meer.")):
        add("jdevries", SignalCreate(
            id=_new_id(rng), category="woonomgeving", subcategory="afval", source="inwoner",
            description=text, location=Location(lat=52.7113, lon=5.7495, accuracy_m=10.0, method="gps"),
            observed_at=noon - timedelta(days=days), related_to=uuid.UUID(first),
        ))
    add("teamleider", SignalCreate(
        id=_new_id(rng), category="eenzaamheid_zorg", subcategory="mantelzorg", source="organisatie",
        description="Huisarts belt: een mantelzorger in Marknesse loopt vast en vraagt om een gesprek.",
        location=Location(lat=52.7089, lon=5.8622, accuracy_m=20.0, method="map"),
        observed_at=noon - timedelta(days=4), status="in_behandeling", contains_personal_data=True,
        follow_up_date=today, assignee="regisseur",
        assignment_note="Jij kent de familie: wil je deze week langsgaan?",
    ))


def _alert_and_kwestie(db: Database, catalog: AreaCatalog, outbreak: list[str]) -> None:
    """Run the early warning once, and make the Ens alert a kwestie with an update."""
    from .alerts.detect import detect
    from .kwesties import store as kwesties

    detect(db, catalog)
    lead = _user(db, "teamleider")
    row = db.query_one("SELECT id FROM alerts WHERE kern_code = 'WK017106' ORDER BY created_at LIMIT 1")
    if row is not None:
        kwestie_id = kwesties.from_alert(db, lead, row["id"], "Jongeren bij het dorpshuis in Ens")
    else:  # the methods did not see it (other settings): the kwestie is made by hand
        kwestie_id = kwesties.create_kwestie(db, lead, "Jongeren bij het dorpshuis in Ens", outbreak)
    kwesties.add_note(db, lead, kwestie_id,
                      "Overleg met jongerenwerk en wijkagent gepland; dorpsbelang schuift aan.")
