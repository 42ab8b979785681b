"""The default categories, in Dutch, as the brief names them.

Codes are stable identifiers (used in the API, exports and alerts); names are
what people read. A beheerder can change names and add subcategories later.
"""

DEFAULT_CATEGORIES: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    ("woonomgeving", "Woonomgeving", "Openbare ruimte, groen, onderhoud, voorzieningen in de buurt.", [
        ("groen", "Groen en bomen"),
        ("straat_en_stoep", "Straat en stoep"),
        ("speelplek", "Speelplek"),
        ("afval", "Afval en zwerfvuil"),
        ("voorzieningen", "Voorzieningen (winkel, school, dorpshuis)"),
    ]),
    ("overlast", "Overlast", "Geluid, stank, hinder door mensen of bedrijven.", [
        ("geluid", "Geluid"),
        ("stank", "Stank"),
        ("bedrijf", "Bedrijf of evenement"),
        ("dieren", "Dieren"),
    ]),
    ("jeugd", "Jeugd", "Jongeren: overlast, behoeften, ideeën, zorgen.", [
        ("jeugdoverlast", "Jeugdoverlast"),
        ("ontmoetingsplek", "Ontmoetingsplek"),
        ("zorgen_om_jongere", "Zorgen om een jongere"),
    ]),
    ("verkeer", "Verkeer", "Snelheid, parkeren, veiligheid op de weg.", [
        ("snelheid", "Te hard rijden"),
        ("parkeren", "Parkeren"),
        ("landbouwverkeer", "Landbouwverkeer"),
        ("verkeersveiligheid", "Onveilige situatie"),
    ]),
    ("burenconflict", "Burenconflict", "Onenigheid tussen buren.", [
        ("erfgrens", "Erfgrens of schutting"),
        ("geluid_buren", "Geluid van buren"),
        ("bemiddeling", "Vraag om buurtbemiddeling"),
    ]),
    ("eenzaamheid_zorg", "Eenzaamheid en zorg", "Zorgen om een inwoner: eenzaamheid, zelfredzaamheid.", [
        ("eenzaamheid", "Eenzaamheid"),
        ("zelfredzaamheid", "Redt zich niet goed"),
        ("mantelzorg", "Mantelzorg onder druk"),
    ]),
    ("veiligheid", "Veiligheid", "Gevoel van onveiligheid, criminaliteit, ondermijning.", [
        ("onveilig_gevoel", "Voelt zich onveilig"),
        ("inbraak_vernieling", "Inbraak of vernieling"),
        ("ondermijning", "Vermoeden van ondermijning"),
    ]),
    ("initiatief", "Initiatief", "Plannen en ideeën van inwoners of verenigingen.", [
        ("bewonersinitiatief", "Bewonersinitiatief"),
        ("dorpsbelang", "Plan van dorpsbelang"),
        ("evenement", "Evenement"),
    ]),
    ("dienstverlening_gemeente", "Dienstverlening gemeente", "Terugkoppeling over de eigen dienstverlening.", [
        ("bereikbaarheid", "Bereikbaarheid en antwoord"),
        ("vergunning", "Vergunning of procedure"),
        ("communicatie", "Communicatie en informatie"),
        ("compliment", "Compliment"),
    ]),
]
