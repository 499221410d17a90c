"""The classifier's prompt (one versioned file), the request it builds and the validated answer it accepts."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ingestion.errors import UserError
from ingestion.schema import CATEGORY_VALUES, RELEVANCE_VALUES

PROMPT_FILE = Path(__file__).resolve().parent / "prompts" / "hs10_relevance.md"
_VERSION = re.compile(r"^<!-- version: (\S+) -->")
_SECTION = re.compile(r"^<!-- section: (\w+) -->$", re.MULTILINE)
_SECTIONS = ("system", "batch", "user", "item", "item_naics", "item_naics_industry")

# About 4 characters per token for English prose and JSON (the usual rule of thumb for GPT-style tokenizers);
# used only for estimates (the dry run, and usage when an endpoint returns no usage block).
CHARS_PER_TOKEN = 4
# Output per classified code: the study's published exports answers average ~495 characters of JSON
# (relevance, confidence, category, specific_use, reasoning and the keys) = ~125 tokens; rounded up.
EST_COMPLETION_TOKENS_PER_CODE = 130

# The allowed values are defined once, in the raw contract; Literal of a tuple means "one of these".
Relevance = Literal[RELEVANCE_VALUES]  # type: ignore[valid-type]
Category = Literal[CATEGORY_VALUES]  # type: ignore[valid-type]


class Classification(BaseModel):
    """One validated answer: the study's five required tool fields plus the code it belongs to."""

    model_config = ConfigDict(extra="forbid", strict=True)

    hs10_code: str
    relevance: Relevance
    confidence: int = Field(ge=0, le=100)
    primary_category: Category
    specific_use: str
    reasoning: str


@dataclass(frozen=True)
class CodeItem:
    """One code to classify with the context the prompt sends."""

    hs10: str
    description: str
    naics: str | None = None
    naics_description: str | None = None

    @property
    def context_hash(self) -> str:
        """Hash of everything about the code the prompt sends (part of the cache key)."""
        text = "\x1f".join([self.description, self.naics or "", self.naics_description or ""])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Prompt:
    version: str
    sha256: str
    system: str
    batch: str
    user: str
    item: str
    item_naics: str
    item_naics_industry: str

    def system_message(self) -> str:
        return f"{self.system}\n\n{self.batch.format(categories=', '.join(CATEGORY_VALUES))}"

    def user_message(self, items: list[CodeItem]) -> str:
        blocks = []
        for item in items:
            block = self.item.format(hs10=item.hs10, description=item.description)
            if item.naics:
                block += "\n" + self.item_naics.format(naics=item.naics)
                if item.naics_description:
                    block += "\n" + self.item_naics_industry.format(naics_description=item.naics_description)
            blocks.append(block)
        return self.user + "\n\n" + "\n\n".join(blocks)

    def messages(self, items: list[CodeItem]) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": self.system_message()},
            {"role": "user", "content": self.user_message(items)},
        ]


@cache
def load_prompt(path: Path = PROMPT_FILE) -> Prompt:
    """Parse the versioned prompt file (first line `<!-- version: X -->`, then `<!-- section: NAME -->` blocks)."""
    text = path.read_text(encoding="utf-8")
    match = _VERSION.match(text)
    if not match:
        raise UserError(f"{path}: the first line must be `<!-- version: NAME -->`")
    parts = _SECTION.split(text)
    sections = {name: body.strip("\n") for name, body in zip(parts[1::2], parts[2::2], strict=True)}
    missing = [name for name in _SECTIONS if name not in sections]
    if missing:
        raise UserError(f"{path}: missing sections {missing}")
    return Prompt(
        version=match.group(1),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        **{name: sections[name] for name in _SECTIONS},
    )


def _entry_schema() -> dict:
    """The study's `classify_hs10_code` input schema (descriptions verbatim) plus `hs10_code` to match answers."""
    return {
        "type": "object",
        "properties": {
            "hs10_code": {"type": "string", "description": "The HS10 code of the product, exactly as given"},
            "relevance": {
                "type": "string",
                "enum": list(RELEVANCE_VALUES),
                "description": "How relevant is this product to AI data center construction or operation. "
                "High = directly used in data centers, Medium = sometimes used or indirect input, "
                "Low = not relevant",
            },
            "confidence": {
                "type": "integer",
                "minimum": 0,
                "maximum": 100,
                "description": "Confidence in this assessment from 0 to 100",
            },
            "primary_category": {
                "type": "string",
                "enum": list(CATEGORY_VALUES),
                "description": "Primary use category for this product",
            },
            "specific_use": {
                "type": "string",
                "description": "Specific application in a data center context (e.g., 'GPU accelerators', "
                "'backup generator fuel', 'server rack cooling')",
            },
            "reasoning": {"type": "string", "description": "Brief explanation of why this classification was chosen"},
        },
        "required": ["hs10_code", "relevance", "confidence", "primary_category", "specific_use", "reasoning"],
        "additionalProperties": False,
    }


def response_format() -> dict:
    """The `response_format` of every request: strict JSON schema with one entry per code."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": "classify_hs10_codes",
            "strict": True,
            "schema": {
                "type": "object",
                "properties": {"classifications": {"type": "array", "items": _entry_schema()}},
                "required": ["classifications"],
                "additionalProperties": False,
            },
        },
    }


def request_chars(prompt: Prompt, items: list[CodeItem]) -> int:
    """Characters a request sends as prompt: both messages plus the response schema."""
    messages = prompt.messages(items)
    return sum(len(m["content"]) for m in messages) + len(json.dumps(response_format()))


class AnswerError(ValueError):
    """The whole answer is unusable (not JSON, or not the expected object)."""


def parse_answer(content: str | None) -> tuple[list[Classification], list[tuple[str | None, str]]]:
    """Parse a batch answer: (validated entries, rejected entries as (code named by the entry or None, reason)).

    Raises AnswerError when the answer as a whole is unusable (empty, malformed JSON, wrong shape).
    """
    if not content:
        raise AnswerError("empty answer")
    try:
        data = json.loads(content)
    except json.JSONDecodeError as error:
        raise AnswerError(f"malformed JSON ({error.msg} at char {error.pos})") from error
    if not isinstance(data, dict) or not isinstance(data.get("classifications"), list):
        raise AnswerError("answer is not an object with a `classifications` list")
    entries: list[Classification] = []
    rejected: list[tuple[str | None, str]] = []
    for raw in data["classifications"]:
        try:
            entries.append(Classification.model_validate(raw))
        except ValidationError as error:
            code = raw.get("hs10_code") if isinstance(raw, dict) else None
            reason = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'entry'}: {e['msg']}" for e in error.errors()[:3]
            )
            rejected.append((code if isinstance(code, str) else None, f"invalid answer ({reason})"))
    return entries, rejected
