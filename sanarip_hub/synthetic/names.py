"""Name material and the rules that turn it into register-book names.

Three surname styles appear in Kyrgyz registers (FACTS §5): Russian-style ``-ов/-ев`` with an
``-ович/-овна`` patronymic (about 80%), the traditional ``<father> уулу/кызы`` (about 10%) and, since
the 2025 amendment, a bare ancestor's name with no patronymic (about 10%).  Uzbek families
(concentrated in the south) and Russian families (in the north) are modelled too.
"""

from __future__ import annotations

from enum import StrEnum

KYRGYZ_MALE = (
    "Азамат",
    "Айбек",
    "Алмаз",
    "Асан",
    "Бакыт",
    "Бектур",
    "Болот",
    "Данияр",
    "Жаныбек",
    "Жеңиш",
    "Жоомарт",
    "Жылдызбек",
    "Замир",
    "Иса",
    "Канат",
    "Кубаныч",
    "Кутман",
    "Марат",
    "Мирлан",
    "Нурбек",
    "Нурлан",
    "Өмүрбек",
    "Өзгөн",
    "Руслан",
    "Садыр",
    "Самат",
    "Сооронбай",
    "Султан",
    "Таалай",
    "Темир",
    "Төлөгөн",
    "Улан",
    "Үсөн",
    "Үмөт",
    "Чыңгыз",
    "Эмил",
    "Эрлан",
    "Эрмек",
    "Эсен",
    "Алыбай",
    "Мамат",
    "Токтосун",
    "Жеңишбек",
    "Мелис",
    "Нурсултан",
    "Талант",
    "Тилек",
    "Бекжан",
    "Калыс",
    "Ормон",
)
KYRGYZ_FEMALE = (
    "Айгүл",
    "Айжан",
    "Айнура",
    "Айпери",
    "Айсулуу",
    "Асел",
    "Бегимай",
    "Бермет",
    "Гүлнара",
    "Гүлзат",
    "Динара",
    "Жазгүл",
    "Жаңыл",
    "Жибек",
    "Жылдыз",
    "Зарина",
    "Канышай",
    "Назгүл",
    "Нургүл",
    "Нуриза",
    "Өмүркан",
    "Перизат",
    "Самара",
    "Сезим",
    "Сүйүмкан",
    "Таттыбүбү",
    "Төрөкан",
    "Үмүт",
    "Чолпон",
    "Чынара",
    "Элмира",
    "Элнура",
    "Эльвира",
    "Айдана",
    "Толгонай",
    "Алтынай",
    "Мээрим",
    "Нурай",
    "Акмөөр",
    "Күмүшай",
)
UZBEK_MALE = (
    "Рахимжон",
    "Бахтиёр",
    "Дилшод",
    "Улугбек",
    "Шерзод",
    "Фаррух",
    "Жасур",
    "Ойбек",
    "Азизбек",
    "Илхом",
    "Равшан",
    "Шухрат",
    "Анвар",
    "Зафар",
    "Нодир",
)
UZBEK_FEMALE = (
    "Дилноза",
    "Гулнора",
    "Мохира",
    "Нилуфар",
    "Шахноза",
    "Зулфия",
    "Малика",
    "Феруза",
    "Юлдуз",
    "Садоқат",
    "Умида",
    "Муборак",
    "Нигора",
    "Ситора",
    "Хилола",
)
RUSSIAN_MALE = (
    "Александр",
    "Сергей",
    "Андрей",
    "Дмитрий",
    "Алексей",
    "Владимир",
    "Николай",
    "Иван",
    "Евгений",
    "Михаил",
    "Виктор",
    "Павел",
    "Юрий",
    "Олег",
    "Артём",
)
RUSSIAN_FEMALE = (
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Светлана",
    "Анна",
    "Мария",
    "Екатерина",
    "Людмила",
    "Галина",
    "Юлия",
    "Алёна",
    "Ксения",
    "Валентина",
)
RUSSIAN_SURNAMES = (
    "Иванов",
    "Петров",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
)


class Ethnicity(StrEnum):
    KYRGYZ = "kyrgyz"
    UZBEK = "uzbek"
    RUSSIAN = "russian"


class SurnameStyle(StrEnum):
    RUSSIAN = "russian"  # Асанов / Асанова, patronymic Асанович / Асановна
    UULU = "uulu"  # Асан уулу / Асан кызы, no patronymic
    BARE = "bare"  # Асан (ancestor's name), no patronymic


def given_names(ethnicity: Ethnicity, male: bool) -> tuple[str, ...]:
    """The pool of given names for an ethnicity and sex."""
    if ethnicity is Ethnicity.UZBEK:
        return UZBEK_MALE if male else UZBEK_FEMALE
    if ethnicity is Ethnicity.RUSSIAN:
        return RUSSIAN_MALE if male else RUSSIAN_FEMALE
    return KYRGYZ_MALE if male else KYRGYZ_FEMALE


def _stem(father: str) -> tuple[str, bool]:
    """Stem for -ов/-ев endings; True when the soft ending (-ев) applies."""
    if father.endswith("й"):
        return father[:-1], True
    if father[-1] in "аеёиоуыэюяөү":
        return father, True
    return father, False


def surname_from(father: str, male: bool, style: SurnameStyle) -> str:
    """A surname built from the father's (or ancestor's) given name in ``style``."""
    if style is SurnameStyle.UULU:
        return f"{father} {'уулу' if male else 'кызы'}"
    if style is SurnameStyle.BARE:
        return father
    stem, soft = _stem(father)
    suffix = "ев" if soft else "ов"
    return f"{stem}{suffix}" if male else f"{stem}{suffix}а"


def feminine(surname: str) -> str:
    """The feminine form of a Russian-style masculine surname (Асанов → Асанова)."""
    return surname + "а" if surname.endswith(("ов", "ев", "ёв", "ин")) else surname


def patronymic_from(father: str, male: bool, style: SurnameStyle) -> str | None:
    """The patronymic in Russian style (Асанович / Асановна); None for the uulu and bare styles."""
    if style is not SurnameStyle.RUSSIAN:
        return None
    stem, soft = _stem(father)
    if male:
        return f"{stem}{'евич' if soft else 'ович'}"
    return f"{stem}{'евна' if soft else 'овна'}"


# Place-name material for synthetic ayil aimaks, villages and streets.
PLACE_FIRST = (
    "Ак",
    "Кара",
    "Кызыл",
    "Көк",
    "Сары",
    "Чоң",
    "Кичи",
    "Жаңы",
    "Эски",
    "Орто",
    "Төмөнкү",
    "Жогорку",
    "Таш",
    "Алтын",
    "Боз",
    "Күмүш",
    "Тоо",
    "Бел",
)
PLACE_SECOND = (
    "Суу",
    "Булак",
    "Таш",
    "Жар",
    "Дөбө",
    "Кыя",
    "Өзөн",
    "Төр",
    "Сай",
    "Тал",
    "Терек",
    "Арык",
    "Кыштак",
    "Жол",
    "Коргон",
    "Талаа",
    "Үңкүр",
    "Кайың",
    "Булуң",
    "Ноо",
    "Мойнок",
    "Кашка",
)
STREETS = (
    "Манас",
    "Токтогул",
    "Айтматов",
    "Жибек Жолу",
    "Чүй",
    "Ленин",
    "Фрунзе",
    "Курманжан Датка",
    "Абдрахманов",
    "Молдо Кылыч",
    "Тоголок Молдо",
    "Барпы",
    "Жеңижок",
    "Боконбаев",
    "Ибраимов",
    "Мира",
    "Мектеп",
    "Борбордук",
    "Жаштык",
    "Достук",
    "Бирлик",
    "Ынтымак",
)
ORGANISATION_WORDS = (
    "Ала-Тоо",
    "Нур",
    "Береке",
    "Ырыс",
    "Элдик",
    "Дан",
    "Тулпар",
    "Сапат",
    "Агро",
    "Курулуш",
    "Сервис",
)
