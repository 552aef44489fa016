"""The reference territory: real oblast, rayon and city СОАТЕ codes of Kyrgyzstan.

Oblasts, rayons and cities of oblast or republican significance carry their real codes (FACTS §1.3,
agreeing with two independent public code lists).  The 40 rayons are all here.  Ayil aimaks and
villages are synthesised beneath the real rayon prefixes by :mod:`sanarip_hub.synthetic`, because no
public list of the post-reform (2023-2025) units could be checked; their codes follow the real
structure (``AAA`` 8xx for an ayil aimak, ``VVV`` for a village) so every validator treats them as it
would treat real ones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Unit:
    """One administrative-territorial unit: code, names, and the oblast it belongs to."""

    code: str
    name_ky: str
    name_ru: str
    name_en: str
    kind: str  # country | oblast | rayon | city | district
    parent: str | None


COUNTRY = Unit(
    "41700000000000", "Кыргыз Республикасы", "Кыргызская Республика", "Kyrgyz Republic", "country", None
)

OBLASTS: tuple[Unit, ...] = (
    Unit("41702000000000", "Ысык-Көл облусу", "Иссык-Кульская область", "Issyk-Kul", "oblast", COUNTRY.code),
    Unit(
        "41703000000000", "Жалал-Абад облусу", "Джалал-Абадская область", "Jalal-Abad", "oblast", COUNTRY.code
    ),
    Unit("41704000000000", "Нарын облусу", "Нарынская область", "Naryn", "oblast", COUNTRY.code),
    Unit("41705000000000", "Баткен облусу", "Баткенская область", "Batken", "oblast", COUNTRY.code),
    Unit("41706000000000", "Ош облусу", "Ошская область", "Osh", "oblast", COUNTRY.code),
    Unit("41707000000000", "Талас облусу", "Таласская область", "Talas", "oblast", COUNTRY.code),
    Unit("41708000000000", "Чүй облусу", "Чуйская область", "Chuy", "oblast", COUNTRY.code),
    Unit("41711000000000", "Бишкек шаары", "город Бишкек", "Bishkek city", "city", COUNTRY.code),
    Unit("41721000000000", "Ош шаары", "город Ош", "Osh city", "city", COUNTRY.code),
)


def _r(oblast: str, rayon: str, ky: str, ru: str, en: str) -> Unit:
    return Unit(f"417{oblast}{rayon}000000", ky, ru, en, "rayon", f"417{oblast}000000000")


RAYONS: tuple[Unit, ...] = (
    _r("02", "205", "Ак-Суу району", "Ак-Суйский район", "Ak-Suu"),
    _r("02", "210", "Жети-Өгүз району", "Жети-Огузский район", "Jeti-Oguz"),
    _r("02", "215", "Ысык-Көл району", "Иссык-Кульский район", "Issyk-Kul"),
    _r("02", "220", "Тоң району", "Тонский район", "Ton"),
    _r("02", "225", "Түп району", "Тюпский район", "Tup"),
    _r("03", "204", "Ала-Бука району", "Ала-Букинский район", "Ala-Buka"),
    _r("03", "207", "Базар-Коргон району", "Базар-Коргонский район", "Bazar-Korgon"),
    _r("03", "211", "Аксы району", "Аксыйский район", "Aksy"),
    _r("03", "215", "Ноокен району", "Ноокенский район", "Nooken"),
    _r("03", "220", "Сузак району", "Сузакский район", "Suzak"),
    _r("03", "223", "Тогуз-Торо району", "Тогуз-Тороуский район", "Toguz-Toro"),
    _r("03", "225", "Токтогул району", "Токтогульский район", "Toktogul"),
    _r("03", "230", "Чаткал району", "Чаткальский район", "Chatkal"),
    _r("04", "210", "Ак-Талаа району", "Ак-Талинский район", "Ak-Talaa"),
    _r("04", "220", "Ат-Башы району", "Ат-Башинский район", "At-Bashy"),
    _r("04", "230", "Жумгал району", "Жумгальский район", "Jumgal"),
    _r("04", "235", "Кочкор району", "Кочкорский район", "Kochkor"),
    _r("04", "245", "Нарын району", "Нарынский район", "Naryn"),
    _r("05", "214", "Баткен району", "Баткенский район", "Batken"),
    _r("05", "236", "Лейлек району", "Лейлекский район", "Leilek"),
    _r("05", "258", "Кадамжай району", "Кадамжайский район", "Kadamjai"),
    _r("06", "207", "Алай району", "Алайский район", "Alai"),
    _r("06", "211", "Араван району", "Араванский район", "Aravan"),
    _r("06", "226", "Кара-Суу району", "Кара-Суйский район", "Kara-Suu"),
    _r("06", "242", "Ноокат району", "Ноокатский район", "Nookat"),
    _r("06", "246", "Кара-Кулжа району", "Кара-Кульджинский район", "Kara-Kulja"),
    _r("06", "255", "Өзгөн району", "Узгенский район", "Uzgen"),
    _r("06", "259", "Чоң-Алай району", "Чон-Алайский район", "Chon-Alai"),
    _r("07", "215", "Кара-Буура району", "Кара-Бууринский район", "Kara-Buura"),
    _r("07", "220", "Бакай-Ата району", "Бакай-Атинский район", "Bakai-Ata"),
    _r("07", "225", "Манас району", "Манасский район", "Manas"),
    _r("07", "232", "Талас району", "Таласский район", "Talas"),
    _r("08", "203", "Аламүдүн району", "Аламудунский район", "Alamudun"),
    _r("08", "206", "Ысык-Ата району", "Ысык-Атинский район", "Ysyk-Ata"),
    _r("08", "209", "Жайыл району", "Жайыльский район", "Jaiyl"),
    _r("08", "213", "Кемин району", "Кеминский район", "Kemin"),
    _r("08", "217", "Москва району", "Московский район", "Moskva"),
    _r("08", "219", "Панфилов району", "Панфиловский район", "Panfilov"),
    _r("08", "222", "Сокулук району", "Сокулукский район", "Sokuluk"),
    _r("08", "223", "Чүй району", "Чуйский район", "Chui"),
)

BISHKEK_DISTRICTS: tuple[Unit, ...] = (
    Unit("41711201000000", "Ленин району", "Ленинский район", "Leninsky", "district", "41711000000000"),
    Unit("41711202000000", "Октябрь району", "Октябрьский район", "Oktyabrsky", "district", "41711000000000"),
    Unit(
        "41711203000000",
        "Биринчи Май району",
        "Первомайский район",
        "Pervomaisky",
        "district",
        "41711000000000",
    ),
    Unit(
        "41711204000000", "Свердлов району", "Свердловский район", "Sverdlovsky", "district", "41711000000000"
    ),
)


def _c(code: str, ky: str, ru: str, en: str) -> Unit:
    return Unit(code, ky, ru, en, "city", f"417{code[3:5]}000000000")


# Cities of oblast significance: the city's own row (ending in 010).  Naryn city's code has no 4xx
# segment (a known anomaly, FACTS §1.3).
OBLAST_CITIES: tuple[Unit, ...] = (
    _c("41702410000010", "Каракол шаары", "город Каракол", "Karakol"),
    _c("41702420000010", "Балыкчы шаары", "город Балыкчы", "Balykchy"),
    _c("41703410000010", "Жалал-Абад шаары", "город Джалал-Абад", "Jalal-Abad"),
    _c("41703420000010", "Таш-Көмүр шаары", "город Таш-Кумыр", "Tash-Komur"),
    _c("41703430000010", "Майлуу-Суу шаары", "город Майлуу-Суу", "Mailuu-Suu"),
    _c("41703440000010", "Кара-Көл шаары", "город Кара-Куль", "Kara-Kol"),
    _c("41704000000010", "Нарын шаары", "город Нарын", "Naryn"),
    _c("41705410000010", "Баткен шаары", "город Баткен", "Batken"),
    _c("41705420000010", "Сүлүктү шаары", "город Сулюкта", "Sulukta"),
    _c("41705430000010", "Кызыл-Кыя шаары", "город Кызыл-Кия", "Kyzyl-Kiya"),
    _c("41707400000010", "Талас шаары", "город Талас", "Talas"),
    _c("41708400000010", "Токмок шаары", "город Токмок", "Tokmok"),
)

REPUBLICAN_CITIES: tuple[Unit, ...] = (OBLASTS[7], OBLASTS[8])

# Towns of rayon significance (real names; their 6xx codes are synthetic but well-formed).
RAYON_TOWNS: tuple[tuple[str, str, str, str], ...] = (
    ("41708206", "Кант", "Кант", "Kant"),
    ("41708209", "Кара-Балта", "Кара-Балта", "Kara-Balta"),
    ("41708213", "Кемин", "Кемин", "Kemin"),
    ("41708219", "Каинды", "Каинды", "Kaindy"),
    ("41708222", "Шопоков", "Шопоков", "Shopokov"),
    ("41702215", "Чолпон-Ата", "Чолпон-Ата", "Cholpon-Ata"),
    ("41703211", "Кербен", "Кербен", "Kerben"),
    ("41703215", "Кочкор-Ата", "Кочкор-Ата", "Kochkor-Ata"),
    ("41703225", "Токтогул", "Токтогул", "Toktogul"),
    ("41703207", "Базар-Коргон", "Базар-Коргон", "Bazar-Korgon"),
    ("41705236", "Исфана", "Исфана", "Isfana"),
    ("41705258", "Кадамжай", "Кадамжай", "Kadamjai"),
    ("41706255", "Өзгөн", "Узген", "Uzgen"),
    ("41706242", "Ноокат", "Ноокат", "Nookat"),
    ("41706226", "Кара-Суу", "Кара-Суу", "Kara-Suu"),
    ("41707215", "Кызыл-Адыр", "Кызыл-Адыр", "Kyzyl-Adyr"),
    ("41704235", "Кочкор", "Кочкор", "Kochkor"),
    ("41706211", "Араван", "Араван", "Aravan"),
    ("41702205", "Теплоключенка", "Теплоключенка", "Teploklyuchenka"),
)

# Ayil aimaks per oblast after the 2023-2025 reform: 235 in all (FACTS §3), spread by population.
AYIL_AIMAKS_PER_OBLAST: dict[str, int] = {
    "02": 30,
    "03": 47,
    "04": 22,
    "05": 23,
    "06": 51,
    "07": 20,
    "08": 42,
}

# Relative size of LSG bodies by kind (households), used to spread a seed's households realistically.
# Bishkek ~ 350k households, Osh city ~ 80k, an oblast city ~ 10-20k, a town ~ 5k, an ayil aimak ~ 5k.
WEIGHT_REPUBLICAN_BISHKEK = 60.0
WEIGHT_REPUBLICAN_OSH = 15.0
WEIGHT_OBLAST_CITY = 2.5
WEIGHT_TOWN = 1.0
WEIGHT_AYIL_AIMAK = 1.0


def all_reference_units() -> tuple[Unit, ...]:
    """Country, oblasts and republican cities, rayons, Bishkek districts and oblast cities."""
    return (COUNTRY, *OBLASTS, *RAYONS, *BISHKEK_DISTRICTS, *OBLAST_CITIES)
