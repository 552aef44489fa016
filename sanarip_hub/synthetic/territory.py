"""The synthetic territory: 268 LSG bodies (235 ayil aimaks + 33 cities) under real СОАТЕ prefixes.

Built deterministically from a fixed generator seed (independent of ``--seed``) so that every seed
of every size shares one map of the country, and a database seeded twice with ``--append`` keeps
its LSG bodies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sanarip_hub.domain import geography as geo
from sanarip_hub.domain.codes import LsgKind, UnitKind
from sanarip_hub.synthetic.names import PLACE_FIRST, PLACE_SECOND

TERRITORY_SEED = "sanarip-hub territory v1"


@dataclass(frozen=True, slots=True)
class AteRow:
    """One ГК СОАТЕ row to load."""

    code: str
    name_ky: str
    name_ru: str
    name_en: str | None
    kind: UnitKind
    parent: str | None


@dataclass(frozen=True)
class SyntheticLsg:
    """An LSG body of the synthetic country with the settlements its households live in."""

    soate_code: str
    kind: LsgKind
    name_ky: str
    name_ru: str
    weight: float  # relative number of households
    oblast: str
    settlements: tuple[tuple[str, str], ...] = field(default=())  # (soate code, name) of addresses

    @property
    def is_rural(self) -> bool:
        return self.kind is LsgKind.AYIL_OKMOTU

    @property
    def is_bishkek(self) -> bool:
        return self.soate_code.startswith("41711")


@dataclass(frozen=True)
class Territory:
    """All ATE rows and LSG bodies, LSGs in the order a seed takes them."""

    units: tuple[AteRow, ...]
    lsgs: tuple[SyntheticLsg, ...]


def _place_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = f"{rng.choice(PLACE_FIRST)}-{rng.choice(PLACE_SECOND)}"
        if name not in used or len(used) > 350:
            used.add(name)
            return name


def build_territory() -> Territory:
    """The whole synthetic territory; pure and deterministic."""
    rng = random.Random(TERRITORY_SEED)
    units: list[AteRow] = [
        AteRow(u.code, u.name_ky, u.name_ru, u.name_en, UnitKind(u.kind), u.parent)
        for u in geo.all_reference_units()
    ]
    rural: dict[str, list[SyntheticLsg]] = {}
    urban: list[SyntheticLsg] = []
    used: set[str] = set()

    bishkek = geo.REPUBLICAN_CITIES[0]
    urban.append(
        SyntheticLsg(
            bishkek.code,
            LsgKind.CITY_MAYORALTY,
            "Бишкек шаардык мэриясы",
            "Мэрия города Бишкек",
            geo.WEIGHT_REPUBLICAN_BISHKEK,
            "11",
            tuple((d.code, f"Бишкек ш., {d.name_ky}") for d in geo.BISHKEK_DISTRICTS),
        )
    )
    osh = geo.REPUBLICAN_CITIES[1]
    urban.append(
        SyntheticLsg(
            osh.code,
            LsgKind.CITY_MAYORALTY,
            "Ош шаардык мэриясы",
            "Мэрия города Ош",
            geo.WEIGHT_REPUBLICAN_OSH,
            "21",
            ((osh.code, "Ош ш."),),
        )
    )
    for city in geo.OBLAST_CITIES:
        short = city.name_ky.removesuffix(" шаары")
        urban.append(
            SyntheticLsg(
                city.code,
                LsgKind.CITY_MAYORALTY,
                f"{short} шаардык мэриясы",
                f"Мэрия {city.name_ru.replace('город', 'города')}",
                geo.WEIGHT_OBLAST_CITY,
                city.code[3:5],
                ((city.code, f"{short} ш."),),
            )
        )
    for index, (rayon_prefix, ky, ru, en) in enumerate(geo.RAYON_TOWNS):
        code = f"{rayon_prefix}6{index + 1:02d}000"
        units.append(AteRow(code, f"{ky} шаары", f"город {ru}", en, UnitKind.TOWN, f"{rayon_prefix}000000"))
        urban.append(
            SyntheticLsg(
                code,
                LsgKind.CITY_MAYORALTY,
                f"{ky} шаардык мэриясы",
                f"Мэрия города {ru}",
                geo.WEIGHT_TOWN,
                code[3:5],
                ((code, f"{ky} ш."),),
            )
        )

    for oblast, count in geo.AYIL_AIMAKS_PER_OBLAST.items():
        rayons = [r for r in geo.RAYONS if r.code[3:5] == oblast]
        rural[oblast] = []
        for n in range(count):
            rayon = rayons[n % len(rayons)]
            aa_number = 801 + n // len(rayons)
            aa_code = f"{rayon.code[:8]}{aa_number:03d}000"
            aa_name = _place_name(rng, used)
            units.append(
                AteRow(
                    aa_code,
                    f"{aa_name} айыл аймагы",
                    f"айылный аймак {aa_name}",
                    None,
                    UnitKind.AYIL_AIMAK,
                    rayon.code,
                )
            )
            villages = []
            for v in range(rng.randint(4, 12)):
                village_code = f"{aa_code[:11]}{(v + 1) * 10:03d}"
                village_name = aa_name if v == 0 else _place_name(rng, used)
                units.append(
                    AteRow(
                        village_code,
                        f"{village_name} айылы",
                        f"село {village_name}",
                        None,
                        UnitKind.VILLAGE,
                        aa_code,
                    )
                )
                villages.append((village_code, f"{village_name} а."))
            rural[oblast].append(
                SyntheticLsg(
                    aa_code,
                    LsgKind.AYIL_OKMOTU,
                    f"{aa_name} айыл өкмөтү",
                    f"Айыл окмоту {aa_name}",
                    geo.WEIGHT_AYIL_AIMAK * rng.uniform(0.6, 1.4),
                    oblast,
                    tuple(villages),
                )
            )

    # The order a seed takes LSGs in: a rural body first (it exercises every module), then the two
    # republican cities, then round-robin over oblasts so that a small --lsg spans the country.
    ordered: list[SyntheticLsg] = [rural["08"].pop(0), urban.pop(0), urban.pop(0)]
    oblast_cycle = list(geo.AYIL_AIMAKS_PER_OBLAST)
    while any(rural.values()) or urban:
        for oblast in oblast_cycle:
            if rural[oblast]:
                ordered.append(rural[oblast].pop(0))
        if urban:
            ordered.append(urban.pop(0))
    return Territory(tuple(units), tuple(ordered))
