"""Extract the console's messages and write its gettext catalogs (``locale/*/LC_MESSAGES/console.po``).

    .venv/bin/python tools/catalogs.py          # rewrite the catalogs from TRANSLATIONS below
    .venv/bin/python tools/catalogs.py --check  # exit 1 if a message lacks a translation

Messages come from the templates (Jinja2's Babel extractor) and the Python modules of the console
(``_(...)`` calls).  The translations live here, beside the extraction, so a new message without a
Kyrgyz and Russian text fails the check (and the test that runs it).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parents[1]
CONSOLE = ROOT / "sanarip_hub" / "console"
KEYWORDS = {"_": None, "gettext": None}

OWNER_INTRO = (
    "Every unauthorized attempt of the period, from the access ledger: X-Road calls no agreement "
    "allows and refusals at the console (regulation clause 15.2)."
)

# message id (English) → (Kyrgyz, Russian)
TRANSLATIONS: dict[str, tuple[str, str]] = {
    "Number": ("Номери", "Номер"),
    "Client": ("Кардар", "Клиент"),
    "Services": ("Кызматтар", "Сервисы"),
    "Purpose": ("Максаты", "Цель"),
    "Valid": ("Мөөнөтү", "Срок действия"),
    "Status": ("Абалы", "Статус"),
    "Revoke": ("Жокко чыгаруу", "Отозвать"),
    "revoked": ("жокко чыгарылган", "отозвано"),
    "in force": ("күчүндө", "действует"),
    "Reason": ("Себеби", "Причина"),
    "New agreement": ("Жаңы макулдашуу", "Новое соглашение"),
    "Fields": ("Талаалар", "Поля"),
    "Valid from": ("Күчүнө кирген күнү", "Действует с"),
    "Valid to": ("Аяктаган күнү", "Действует по"),
    "Create": ("Түзүү", "Создать"),
    "PIN (data-subject report)": ("ПИН (маалымат субъектиси боюнча отчёт)", "ПИН (отчёт по субъекту данных)"),
    "Agreement": ("Макулдашуу", "Соглашение"),
    "Only denied and malformed attempts": (
        "Четке кагылган жана туура эмес сурамдар гана",
        "Только отклонённые и некорректные запросы",
    ),
    "Search": ("Издөө", "Найти"),
    "Evidence bundle": ("Далилдер топтому", "Пакет доказательств"),
    "PIN": ("ПИН", "ПИН"),
    "From": ("Башталышы", "С"),
    "To": ("Аягы", "По"),
    "Download bundle": ("Топтомду жүктөп алуу", "Скачать пакет"),
    "Skip to content": ("Мазмунга өтүү", "Перейти к содержимому"),
    "Sections": ("Бөлүмдөр", "Разделы"),
    "Language": ("Тил", "Язык"),
    "Switch": ("Которуу", "Переключить"),
    "Log out": ("Чыгуу", "Выйти"),
    "Exchanges per service, last 24 hours": (
        "Акыркы 24 саатта кызматтар боюнча алмашуулар",
        "Обмены по сервисам за последние 24 часа",
    ),
    "Service": ("Кызмат", "Сервис"),
    "Exchanges": ("Алмашуулар", "Обмены"),
    "Faults": ("Каталар", "Ошибки"),
    "Key figures": ("Негизги көрсөткүчтөр", "Ключевые показатели"),
    "Fault rate": ("Каталардын үлүшү", "Доля ошибок"),
    "Latency p50 / p95 / p99": ("Кечигүү p50 / p95 / p99", "Задержка p50 / p95 / p99"),
    "Ledger entries": ("Реестрдеги жазуулар", "Записей в реестре"),
    "Last checkpoint": ("Акыркы текшерүү чекити", "Последняя контрольная точка"),
    "Ledger verification": ("Реестрди текшерүү", "Проверка реестра"),
    "Top clients": ("Эң активдүү кардарлар", "Самые активные клиенты"),
    "Recent sync runs": ("Акыркы салыштыруулар", "Последние сверки"),
    "Open mismatches per LSG": ("ЖӨБ боюнча ачык дал келбестиктер", "Открытые расхождения по ОМСУ"),
    "LSG body": ("ЖӨБ органы", "Орган МСУ"),
    "Open": ("Ачык", "Открыто"),
    "Time (UTC)": ("Убакыт (UTC)", "Время (UTC)"),
    "Direction": ("Багыты", "Направление"),
    "Outcome": ("Жыйынтык", "Результат"),
    "No entries": ("Жазуулар жок", "Записей нет"),
    "Message id": ("Билдирүүнүн идентификатору", "Идентификатор сообщения"),
    "Filter": ("Чыпкалоо", "Фильтровать"),
    "Older entries": ("Мурунку жазуулар", "Более ранние записи"),
    "ok": ("иштейт", "в порядке"),
    "failing": ("иштебейт", "сбой"),
    "User name": ("Колдонуучунун аты", "Имя пользователя"),
    "Password": ("Сырсөз", "Пароль"),
    "Log in": ("Кирүү", "Войти"),
    "Field": ("Талаа", "Поле"),
    "Hub": ("Хаб", "Хаб"),
    "Registry": ("Реестр", "Реестр"),
    "Source": ("Булак", "Источник"),
    "Source message": ("Булак билдирүүсү", "Исходное сообщение"),
    "Detected": ("Табылган күнү", "Обнаружено"),
    "History": ("Тарых", "История"),
    "Resolve": ("Чечим кабыл алуу", "Решение"),
    "Decision": ("Чечим", "Решение"),
    "Reason (needed to reject or escalate)": (
        "Себеби (четке кагуу же жогоруга жиберүү үчүн керек)",
        "Причина (нужна для отклонения или передачи)",
    ),
    "Save decision": ("Чечимди сактоо", "Сохранить решение"),
    "Name": ("Аты-жөнү", "ФИО"),
    "Nothing to review": ("Карала турган эч нерсе жок", "Нечего рассматривать"),
    "Run": ("Иштетүү", "Запуск"),
    "Started": ("Башталды", "Начат"),
    "Checked": ("Текшерилди", "Проверено"),
    "Matched": ("Дал келди", "Совпало"),
    "Mismatched": ("Дал келген жок", "Расхождений"),
    "Failed": ("Ийгиликсиз", "Сбоев"),
    "Duration, s": ("Узактыгы, сек", "Длительность, с"),
    "Role": ("Ролу", "Роль"),
    "Disable": ("Өчүрүү", "Отключить"),
    "disabled": ("өчүрүлгөн", "отключён"),
    "active": ("активдүү", "активен"),
    "New user": ("Жаңы колдонуучу", "Новый пользователь"),
    "LSG body (СОАТЕ, for LSG users)": (
        "ЖӨБ органы (СОАТЕ, ЖӨБ колдонуучулары үчүн)",
        "Орган МСУ (СОАТЕ, для пользователей ОМСУ)",
    ),
    "Verify now": ("Азыр текшерүү", "Проверить сейчас"),
    "Dashboard": ("Башкы панель", "Панель"),
    "Exchange log": ("Алмашуулар журналы", "Журнал обменов"),
    "Sync runs": ("Салыштыруулар", "Сверки"),
    "Health": ("Абалы", "Состояние"),
    "Access ledger": ("Кирүү реестри", "Реестр доступа"),
    "Verification": ("Текшерүү", "Проверка"),
    "Agreements": ("Макулдашуулар", "Соглашения"),
    "Actualization queue": ("Актуалдаштыруу кезеги", "Очередь актуализации"),
    "Users": ("Колдонуучулар", "Пользователи"),
    "operator": ("оператор", "оператор"),
    "auditor": ("аудитор", "аудитор"),
    "LSG user": ("ЖӨБ колдонуучусу", "пользователь ОМСУ"),
    "administrator": ("администратор", "администратор"),
    "This page is not for your role.": (
        "Бул барак сиздин ролуңуз үчүн эмес.",
        "Эта страница не для вашей роли.",
    ),
    "The form is too large.": ("Форма өтө чоң.", "Форма слишком велика."),
    "The form has expired or did not come from this console.": (
        "Форманын мөөнөтү бүткөн же ал бул консолдон жиберилген эмес.",
        "Срок формы истёк, или она отправлена не из этой консоли.",
    ),
    "Wrong user name or password, or the account is locked.": (
        "Колдонуучунун аты же сырсөз туура эмес, же эсеп бөгөттөлгөн.",
        "Неверное имя пользователя или пароль, либо учётная запись заблокирована.",
    ),
    "Unknown language.": ("Белгисиз тил.", "Неизвестный язык."),
    "never verified": ("эч качан текшерилген эмес", "ещё не проверялся"),
    "intact": ("бүтүн", "целостен"),
    "FAILED": ("ИЙГИЛИКСИЗ", "НЕ ПРОЙДЕНА"),
    "Not a valid PIN (14 digits: gender, date of birth, serial).": (
        "ПИН туура эмес (14 сан: жынысы, туулган күнү, катар номери).",
        "Неверный ПИН (14 цифр: пол, дата рождения, порядковый номер).",
    ),
    "No such ledger entry.": ("Реестрде мындай жазуу жок.", "Такой записи в реестре нет."),
    "Sequence": ("Катар номери", "Порядковый номер"),
    "User id": ("Колдонуучунун идентификатору", "Идентификатор пользователя"),
    "Issue": ("Иштин номери", "Номер дела"),
    "Represented party": ("Өкүлчүлүк кылынган тарап", "Представляемая сторона"),
    "Request digest (keyed)": ("Сурамдын ачкычтуу хэши (HMAC)", "Ключевой хеш запроса (HMAC)"),
    "Request bytes": ("Сурамдын көлөмү, байт", "Размер запроса, байт"),
    "Response digest (keyed)": ("Жооптун ачкычтуу хэши (HMAC)", "Ключевой хеш ответа (HMAC)"),
    "Response bytes": ("Жооптун көлөмү, байт", "Размер ответа, байт"),
    "Duration, ms": ("Узактыгы, мс", "Длительность, мс"),
    "Previous entry hash": ("Мурунку жазуунун хэши", "Хэш предыдущей записи"),
    "Entry hash": ("Жазуунун хэши", "Хэш записи"),
    "Data subjects": ("Маалымат субъекттери", "Субъекты данных"),
    "sealed (auditors search by PIN)": (
        "шифрленген (аудиторлор ПИН боюнча издешет)",
        "зашифрованы (аудиторы ищут по ПИН)",
    ),
    "Ledger entry": ("Реестрдеги жазуу", "Запись реестра"),
    "Verified now: intact.": (
        "Азыр текшерилди: бузулган жок.",
        "Проверено только что: целостность подтверждена.",
    ),
    "Verification FAILED.": ("Текшерүү ИЙГИЛИКСИЗ бүттү.", "Проверка НЕ ПРОЙДЕНА."),
    "Who (userId)": ("Ким (userId)", "Кто (userId)"),
    "Case (issue)": ("Иш (issue)", "Дело (issue)"),
    "Download the ledger's verifier key": (
        "Журналдын текшерүү ачкычын жүктөп алуу",
        "Скачать ключ проверки журнала",
    ),
    "all a verifier needs to check a bundle offline": (
        "топтомду оффлайн текшерүү үчүн керектүүнүн баары",
        "всё, что нужно для проверки пакета офлайн",
    ),
    "Exchanges with other bodies": ("Башка органдар менен алмашуулар", "Обмены с другими органами"),
    "Views by hub staff": ("Хабдын кызматкерлеринин көрүүлөрү", "Просмотры сотрудниками хаба"),
    "Entries": ("Жазуулар", "Записи"),
    "ledger verification": ("журналды текшерүү", "проверка журнала"),
    "No such mismatch in your LSG body.": (
        "Сиздин ЖӨБ органыңызда мындай дал келбестик жок.",
        "В вашем органе МСУ такого расхождения нет.",
    ),
    "Mismatch": ("Дал келбестик", "Расхождение"),
    "Take into review": ("Кароого алуу", "Взять на рассмотрение"),
    "Actualize: take the registry's value": (
        "Актуалдаштыруу: реестрдин маанисин алуу",
        "Актуализировать: принять значение реестра",
    ),
    "Reject: the hub is right": ("Четке кагуу: хабдагы маани туура", "Отклонить: верно значение хаба"),
    "Escalate to the data holder": ("Маалымат ээсине жиберүү", "Передать держателю данных"),
    "Unknown decision.": ("Белгисиз чечим.", "Неизвестное решение."),
    "A revocation needs a reason.": ("Жокко чыгаруу үчүн себеп керек.", "Для отзыва нужна причина."),
    "The access could not be recorded in the ledger; nothing is shown.": (
        "Кирүү реестрге жазылган жок; эч нерсе көрсөтүлбөйт.",
        "Доступ не удалось записать в реестр; ничего не показано.",
    ),
    # the owner's page (regulation clause 15.2)
    OWNER_INTRO: (
        "Мезгил ичиндеги бардык уруксатсыз аракеттер, жетүү журналынан: эч бир макулдашуу уруксат "
        "бербеген X-Road чакыруулары жана консолдогу баш тартуулар (жобонун 15.2-пункту).",
        "Все попытки несанкционированного доступа за период из журнала доступа: вызовы X-Road, "
        "не разрешённые ни одним соглашением, и отказы в консоли (пункт 15.2 положения).",
    ),
    "Show": ("Көрсөтүү", "Показать"),
    "Only the newest 1000 attempts are shown; narrow the period.": (
        "Эң акыркы 1000 аракет гана көрсөтүлдү; мезгилди кыскартыңыз.",
        "Показаны только последние 1000 попыток; сузьте период.",
    ),
    "Time": ("Убакыт", "Время"),
    "Attempt": ("Аракет", "Попытка"),
    "Who": ("Ким", "Кто"),
    "What": ("Эмне", "Что"),
    "Detail": ("Кошумча маалымат", "Подробности"),
    "Entry": ("Жазуу", "Запись"),
    "No unauthorized attempts in this period.": (
        "Бул мезгилде уруксатсыз аракеттер болгон жок.",
        "За этот период попыток несанкционированного доступа не было.",
    ),
    "Unauthorized access": ("Уруксатсыз жетүү аракеттери", "Несанкционированный доступ"),
    "system owner": ("системанын ээси", "владелец системы"),
    "X-Road call without an agreement": ("Макулдашуусуз X-Road чакыруусу", "Вызов X-Road без соглашения"),
    "failed sign-in": ("ийгиликсиз кирүү аракети", "неудачный вход"),
    "failed sign-in that locked the account": (
        "эсепти бөгөттөгөн ийгиликсиз кирүү аракети",
        "неудачный вход, заблокировавший учётную запись",
    ),
    "sign-in to a locked account": (
        "бөгөттөлгөн эсепке кирүү аракети",
        "вход в заблокированную учётную запись",
    ),
    "sign-in to a disabled account": ("өчүрүлгөн эсепке кирүү аракети", "вход в отключённую учётную запись"),
    "page of another role": ("башка ролдун барагы", "страница другой роли"),
    "form not from this console": ("бул консолдон эмес форма", "форма не из этой консоли"),
}


def messages() -> list[str]:
    found: list[str] = []
    sources = [(p, "jinja2.ext:babel_extract") for p in sorted((CONSOLE / "templates").glob("*.html"))]
    sources += [(p, "python") for p in sorted(CONSOLE.glob("*.py"))]
    for path, method in sources:
        options = {"extensions": "jinja2.ext.i18n"} if method != "python" else {}
        for _lineno, message, _comments, _context in extract_from_file(
            method, path, KEYWORDS, options=options
        ):
            if isinstance(message, str) and message not in found:
                found.append(message)
    return found


def main() -> int:
    wanted = messages()
    missing = [m for m in wanted if m not in TRANSLATIONS]
    unused = [m for m in TRANSLATIONS if m not in wanted]
    if "--check" in sys.argv:
        for message in missing:
            print(f"no translation: {message!r}")
        for message in unused:
            print(f"translated but unused: {message!r}")
        return 1 if missing or unused else 0
    for index, language in enumerate(("ky", "ru")):
        fixed = datetime(2026, 11, 28, tzinfo=UTC)  # stable headers: the files change only with messages
        catalog = Catalog(
            locale=language, domain="console", project="Sanarip Hub", version="1", fuzzy=False,
            creation_date=fixed, revision_date=fixed, copyright_holder="Sanarip Hub developers",
        )  # fmt: skip
        for message in wanted:
            catalog.add(message, TRANSLATIONS.get(message, ("", ""))[index])
        target = CONSOLE / "locale" / language / "LC_MESSAGES" / "console.po"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            write_po(handle, catalog, omit_header=False, width=100, no_location=True, sort_output=False)
    print(f"{len(wanted)} messages; missing {len(missing)}; unused {len(unused)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
