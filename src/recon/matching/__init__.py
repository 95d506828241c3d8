"""matching stage: normalizers, address resolution and person linkage.

The public normalizers are re-exported here. They load lazily (PEP 562) so that importing one
matching module does not pay for pypinyin, OpenCC and the area-code table.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "IdParse": "id_number",
    "check_character": "id_number",
    "upgrade_15": "id_number",
    "parse_id": "id_number",
    "parse_ids": "id_number",
    "is_local": "id_number",
    "local_flags": "id_number",
    "origin": "id_number",
    "area_info": "id_number",
    "PhoneParse": "phone",
    "parse_phone": "phone",
    "parse_phones": "phone",
    "normalize_name": "names",
    "split_surname": "names",
    "pinyin_toneless": "names",
    "pinyin_initials": "names",
    "normalize_names": "names",
    "AddressParts": "address_parse",
    "parse_address": "address_parse",
    "normalize_address": "address_parse",
    "AddressIndex": "address_index",
    "resolve_addresses": "address_resolve",
    "resolve_text": "address_resolve",
    "explain_address": "address_resolve",
    "Resolution": "address_outcome",
    "address_match": "address_match",
}
__all__ = [
    "AddressIndex",
    "AddressParts",
    "Resolution",
    "address_match",
    "explain_address",
    "normalize_address",
    "parse_address",
    "resolve_addresses",
    "resolve_text",
    "IdParse",
    "PhoneParse",
    "area_info",
    "check_character",
    "is_local",
    "local_flags",
    "normalize_name",
    "normalize_names",
    "origin",
    "parse_id",
    "parse_ids",
    "parse_phone",
    "parse_phones",
    "pinyin_initials",
    "pinyin_toneless",
    "split_surname",
    "upgrade_15",
]

if TYPE_CHECKING:
    from recon.matching.id_number import (
        IdParse,
        area_info,
        check_character,
        is_local,
        local_flags,
        origin,
        parse_id,
        parse_ids,
        upgrade_15,
    )
    from recon.matching.names import (
        normalize_name,
        normalize_names,
        pinyin_initials,
        pinyin_toneless,
        split_surname,
    )
    from recon.matching.phone import PhoneParse, parse_phone, parse_phones


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'recon.matching' has no attribute {name!r}")
    return getattr(import_module(f"recon.matching.{module}"), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
