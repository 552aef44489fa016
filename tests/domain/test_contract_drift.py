"""How a provider's contract differs from ours, judged from the consumer's side: what breaks the
nightly run and what it can live with."""

from __future__ import annotations

import pytest

from sanarip_hub.domain.contract_drift import CheckStatus, Shape, compare_message, status_of

TEXT = Shape("string", required=False, repeated=False)
NEEDED = Shape("string", required=True, repeated=False)
LIST = Shape("complex", required=False, repeated=False)
ITEM = Shape("string", required=False, repeated=True)
CODE_A = Shape("string", required=True, repeated=False, values=("A",))
CODE_AB = Shape("string", required=True, repeated=False, values=("A", "B"))
CODE_ABC = Shape("string", required=True, repeated=False, values=("A", "B", "C"))


def changes(message: str, ours: dict[str, Shape], theirs: dict[str, Shape]) -> set[tuple[str, str, bool]]:
    return {(d.path, d.change, d.breaking) for d in compare_message(message, ours, theirs)}


def test_the_same_contract_has_no_difference() -> None:
    shapes = {"pin": NEEDED, "pins": LIST, "pins/pin": ITEM}
    assert compare_message("response", shapes, dict(shapes)) == []
    assert status_of([]) is CheckStatus.OK


@pytest.mark.parametrize(
    ("message", "ours", "theirs", "expected"),
    [
        # request: it needs what we do not send / no longer knows what we send → breaks
        ("request", {"pin": NEEDED}, {"pin": NEEDED, "lang": NEEDED}, {("lang", "added", True)}),
        ("request", {"pin": NEEDED}, {"pin": NEEDED, "lang": TEXT}, {("lang", "added", False)}),
        ("request", {"pin": NEEDED, "fmt": TEXT}, {"pin": NEEDED}, {("fmt", "missing", True)}),
        ("request", {"fmt": TEXT}, {"fmt": NEEDED}, {("fmt", "required", True)}),
        ("request", {"fmt": NEEDED}, {"fmt": TEXT}, {("fmt", "required", False)}),
        # response: a field we read no longer comes, or changes type → breaks; a new one does not
        ("response", {"deathDate": TEXT}, {}, {("deathDate", "missing", True)}),
        ("response", {}, {"photo": TEXT}, {("photo", "added", False)}),
        ("response", {"n": TEXT}, {"n": Shape("int", False, False)}, {("n", "type", True)}),
        ("response", {"n": TEXT}, {"n": NEEDED}, {("n", "required", False)}),
        ("response", {"n": TEXT}, {"n": ITEM}, {("n", "repeated", True)}),  # we would read one of many
        ("response", {"n": ITEM}, {"n": TEXT}, {("n", "repeated", False)}),
        # a whole record gone or new is one difference, not one per element inside it
        ("response", {"pins": LIST, "pins/pin": ITEM}, {}, {("pins", "missing", True)}),
        ("response", {}, {"pins": LIST, "pins/pin": ITEM}, {("pins", "added", False)}),
        # enumerations: a code we may send that it no longer takes, or one it sends we do not read
        ("request", {"s": CODE_AB}, {"s": CODE_A}, {("s", "values", True)}),
        ("request", {"s": NEEDED}, {"s": CODE_A}, {("s", "values", True)}),
        ("request", {"s": CODE_A}, {"s": CODE_AB}, {("s", "values", False)}),
        ("response", {"s": CODE_AB}, {"s": CODE_ABC}, {("s", "values", True)}),
        ("response", {"s": CODE_AB}, {"s": NEEDED}, {("s", "values", True)}),
        ("response", {"s": CODE_AB}, {"s": CODE_A}, {("s", "values", False)}),
        # attributes are paths like elements: one we read gone, or a required one we do not send
        ("response", {"n": TEXT, "n/@unit": NEEDED}, {"n": TEXT}, {("n/@unit", "missing", True)}),
        ("request", {"n": TEXT}, {"n": TEXT, "n/@lang": NEEDED}, {("n/@lang", "added", True)}),
    ],
)
def test_each_difference_is_judged_from_the_consumers_side(
    message: str, ours: dict[str, Shape], theirs: dict[str, Shape], expected: set[tuple[str, str, bool]]
) -> None:
    assert changes(message, ours, theirs) == expected
    found = compare_message(message, ours, theirs)
    breaking = any(breaks for _, _, breaks in expected)
    assert status_of(found) is (CheckStatus.DRIFT if breaking else CheckStatus.COMPATIBLE)


def test_a_difference_says_ours_and_theirs() -> None:
    (difference,) = compare_message("request", {"inn": NEEDED}, {"inn": Shape("int", True, False)})
    assert difference.text() == "request inn: type (ours string [1..1], theirs int [1..1])"
