"""FHIR R4 input: the note of a ``DocumentReference`` (or the first one in a ``Bundle``), with the setting,
note type and id the resources carry. Only the elements the service reads are modelled; others pass through."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field


class FhirInputError(ValueError):
    """The resource holds no usable note (no text attachment, bad base64, unsupported content type)."""


class _Element(BaseModel):
    model_config = ConfigDict(extra="allow")


class Coding(_Element):
    system: str | None = None
    code: str | None = None
    display: str | None = None


class CodeableConcept(_Element):
    coding: list[Coding] = Field(default_factory=list)
    text: str | None = None


class Identifier(_Element):
    system: str | None = None
    value: str | None = None


class Attachment(_Element):
    contentType: str | None = None
    data: str | None = Field(None, description="base64")
    url: str | None = None
    title: str | None = None


class DocumentReferenceContent(_Element):
    attachment: Attachment


class DocumentReference(_Element):
    resourceType: Literal["DocumentReference"]
    id: str | None = None
    identifier: list[Identifier] = Field(default_factory=list)
    status: str | None = None
    type: CodeableConcept | None = None
    content: list[DocumentReferenceContent] = Field(..., min_length=1)


class BundleEntry(_Element):
    fullUrl: str | None = None
    resource: dict[str, Any] | None = None


class Bundle(_Element):
    resourceType: Literal["Bundle"]
    id: str | None = None
    type: str | None = None
    entry: list[BundleEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class ExtractedNote:
    text: str
    note_type: str | None
    setting: str | None
    external_id: str | None
    source_format: str


@lru_cache(maxsize=1)
def _maps() -> dict[str, dict[str, str]]:
    text = (files("cac.service") / "resources" / "fhir_maps.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip('"')
    return "utf-8"


def _decode(data: str, charset: str) -> str:
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise FhirInputError("attachment.data is not valid base64") from exc
    try:
        return raw.decode(charset)
    except (LookupError, UnicodeDecodeError) as exc:
        raise FhirInputError(f"attachment.data does not decode as {charset}") from exc


def _binary_lookup(bundle: Bundle | None) -> dict[str, dict[str, Any]]:
    """Binary resources of the bundle, by every name a reference may use."""
    out: dict[str, dict[str, Any]] = {}
    if bundle is None:
        return out
    for entry in bundle.entry:
        res = entry.resource or {}
        if res.get("resourceType") != "Binary":
            continue
        if entry.fullUrl:
            out[entry.fullUrl] = res
        if res.get("id"):
            out[f"Binary/{res['id']}"] = res
    return out


def _attachment_text(doc: DocumentReference, bundle: Bundle | None) -> str:
    binaries = _binary_lookup(bundle)
    unsupported: list[str] = []
    for content in doc.content:
        att = content.attachment
        ctype = (att.contentType or "text/plain").strip()
        if not ctype.lower().startswith("text/plain"):
            unsupported.append(ctype)
            continue
        if att.data is not None:
            return _decode(att.data, _charset(ctype))
        if att.url and att.url in binaries:
            binary = binaries[att.url]
            if isinstance(binary.get("data"), str):
                return _decode(binary["data"], _charset(binary.get("contentType") or ctype))
        if att.url:
            raise FhirInputError(f"attachment.url {att.url!r} is not a Binary in this Bundle (no fetching)")
    if unsupported:
        raise FhirInputError(f"no text/plain attachment (found {', '.join(unsupported)})")
    raise FhirInputError("the DocumentReference has no attachment data")


def _note_type(doc: DocumentReference) -> str | None:
    if doc.type is None:
        return None
    table = _maps()["loinc_note_types"]
    for coding in doc.type.coding:
        if coding.code in table and (coding.system or "http://loinc.org") == "http://loinc.org":
            return table[coding.code]
    return None


def _setting(bundle: Bundle | None) -> str | None:
    if bundle is None:
        return None
    table = _maps()["encounter_class_settings"]
    for entry in bundle.entry:
        res = entry.resource or {}
        if res.get("resourceType") == "Encounter":
            cls = res.get("class") or {}
            code = cls.get("code") if isinstance(cls, dict) else None
            if code in table:
                return table[code]
    return None


def _external_id(doc: DocumentReference) -> str | None:
    for ident in doc.identifier:
        if ident.value:
            return ident.value
    return doc.id


def extract(resource: DocumentReference | Bundle) -> ExtractedNote:
    """The note and its context from a DocumentReference or a Bundle holding one."""
    bundle: Bundle | None = None
    if isinstance(resource, Bundle):
        bundle = resource
        docs = [e.resource for e in resource.entry if (e.resource or {}).get("resourceType") == "DocumentReference"]
        if not docs:
            raise FhirInputError("the Bundle holds no DocumentReference")
        try:
            doc = DocumentReference.model_validate(docs[0])
        except ValueError as exc:
            raise FhirInputError(f"the Bundle's DocumentReference is malformed: {exc}") from exc
    else:
        doc = resource
    return ExtractedNote(
        text=_attachment_text(doc, bundle),
        note_type=_note_type(doc),
        setting=_setting(bundle),
        external_id=_external_id(doc),
        source_format=f"fhir:{resource.resourceType}",
    )
