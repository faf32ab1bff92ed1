"""UK phone numbers and postcodes: checked with plain messages, stored in one readable form.

A phone number is kept in the form people read in the UK ("0113 496 0000"), whatever way it
was typed, so that pages and letters show it the same way; a postcode in capitals with one
space ("LS1 4AP"). The database checks the stored forms (see the Organisation constraints).
"""

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from phonenumbers import PhoneNumberType

PHONE_EXAMPLE = "0113 496 0000"
PHONE_MESSAGE = f"Enter a UK phone number, like {PHONE_EXAMPLE}"
POSTCODE_MESSAGE = "Enter a full UK postcode, like LS1 4AP"

# The stored forms, also used by the database check constraints.
STORED_PHONE_PATTERN = r"^0[1-9][0-9]*( [0-9]+)*$"
STORED_POSTCODE_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$"


def _parse_uk_phone_number(value: str):
    try:
        number = phonenumbers.parse(str(value), "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.region_code_for_number(number) != "GB":
        return None
    return number


def normalise_uk_phone_number(value: str) -> str:
    """'+44 113 4960000' or '01134960000' becomes '0113 496 0000'. Anything that is not a
    UK number is returned as typed, so that validation can say what is wrong with it."""
    value = str(value or "").strip()
    number = _parse_uk_phone_number(value) if value else None
    if number is None:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def validate_uk_phone_number(value: str) -> None:
    if _parse_uk_phone_number(value) is None or not re.match(STORED_PHONE_PATTERN, str(value)):
        raise ValidationError(PHONE_MESSAGE, code="invalid_phone_number")


def is_uk_mobile_number(value: str) -> bool:
    """A UK mobile number (07...), which can take a text message; a landline, a personal
    number (070) or a pager (076) cannot."""
    number = _parse_uk_phone_number(value) if value else None
    return number is not None and phonenumbers.number_type(number) == PhoneNumberType.MOBILE


def phone_number_uri(value: str) -> str:
    """A tel: link target in international form ('tel:+441134960000')."""
    number = _parse_uk_phone_number(value)
    if number is None:
        return ""
    return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_postcode(value: str) -> str:
    """'ls14ap' or ' LS1  4AP ' becomes 'LS1 4AP' (the inward code is always 3 characters)."""
    compact = "".join(str(value or "").split()).upper()
    if len(compact) < 5:
        return str(value or "").strip().upper()
    return f"{compact[:-3]} {compact[-3:]}"


def validate_uk_postcode(value: str) -> None:
    if not re.match(STORED_POSTCODE_PATTERN, str(value)):
        raise ValidationError(POSTCODE_MESSAGE, code="invalid_postcode")


def incomplete_address_errors(
    *, address_line_1: str, address_line_2: str, town: str, postcode: str
) -> dict[str, str]:
    """What is missing from a postal address that has been started: one needs a first line,
    a town and a postcode to be written to. An address left empty is fine."""
    given = {
        "address_line_1": address_line_1,
        "address_line_2": address_line_2,
        "town": town,
        "postcode": postcode,
    }
    if not any(str(value or "").strip() for value in given.values()):
        return {}
    missing = {
        "address_line_1": "Enter address line 1, typically the building and street",
        "town": "Enter the town or city",
        "postcode": "Enter the postcode",
    }
    return {
        field: message for field, message in missing.items() if not str(given[field] or "").strip()
    }


# Characters that change the direction text is shown in (embeddings, overrides, isolates): a
# name typed with one can read differently in a list from how it is stored. The marks that
# only hint a direction (U+200E, U+200F) are left, as right-to-left writing may need them.
DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def shows_nothing(text: str) -> bool:
    """True for text of only spaces and characters that show nothing (zero-width spaces,
    joiners, soft hyphens and other format characters): a "name" no one can read."""
    return not any(
        not character.isspace() and unicodedata.category(character) != "Cf" for character in text
    )


def hides_characters(text: str) -> bool:
    """True for text holding a space or a character that shows nothing (a zero-width space,
    a joiner, a direction control): two such email addresses can look the same and differ."""
    return any(character.isspace() or unicodedata.category(character) == "Cf" for character in text)


def validate_no_direction_controls(value) -> None:
    # A text field may hand on what it read from the text (a time from "09:30"): only text
    # itself is checked.
    if isinstance(value, str) and DIRECTION_CONTROLS.search(value):
        raise ValidationError(
            "Text must not contain hidden characters", code="null_characters_not_allowed"
        )
