"""What the visitor is told, as data: a key and parameters, with default English texts.

A host shows ``render(message)`` or its own text for ``message.key`` (pass ``texts=``
with any keys replaced; :func:`check_texts` checks them once, at start-up).
Parameters are strings (instants in ISO 8601, UTC).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from helpdesk_routing._input import CheckedCopy
from helpdesk_routing._time import require_aware
from helpdesk_routing.errors import ArgumentTypeError, ValidationError

__all__ = ["DEFAULT_TEXTS", "PLACEHOLDERS", "MessageKey", "VisitorMessage", "check_texts", "render"]


class MessageKey(StrEnum):
    """Every message a handoff may ask the host to show."""

    CONFIRM_HANDOFF = "confirm_handoff"
    ASK_EMAIL = "ask_email"
    EMAIL_INVALID = "email_invalid"
    AI_AGENT_CONTINUES = "ai_agent_continues"
    AGENT_WILL_CONTINUE_HERE = "agent_will_continue_here"
    NEXT_OPENING = "next_opening"
    AGENTS_BUSY = "agents_busy"
    HUMAN_WILL_FOLLOW = "human_will_follow"
    CONTINUE_BY_EMAIL = "continue_by_email"
    CONTINUE_BY_SMS = "continue_by_sms"
    CUSTOM_MESSAGE = "custom_message"
    HANDOFF_PENDING = "handoff_pending"
    HANDOFF_FAILED = "handoff_failed"


DEFAULT_TEXTS: Mapping[MessageKey, str] = {
    MessageKey.CONFIRM_HANDOFF: "Would you like to talk to a member of our team?",
    MessageKey.ASK_EMAIL: "What is your e-mail address, so our team can reach you?",
    MessageKey.EMAIL_INVALID: "That does not look like an e-mail address. Could you check it?",
    MessageKey.AI_AGENT_CONTINUES: "No problem, I'll keep helping you here.",
    MessageKey.AGENT_WILL_CONTINUE_HERE: "A member of our team will continue here shortly.",
    MessageKey.NEXT_OPENING: "Our team is away now; we will get back to you from {at}.",
    MessageKey.AGENTS_BUSY: "All of our team are busy; we will get back to you as soon as we can.",
    MessageKey.HUMAN_WILL_FOLLOW: "A member of our team will follow up on your question.",
    MessageKey.CONTINUE_BY_EMAIL: "We will continue by e-mail at {email}.",
    MessageKey.CONTINUE_BY_SMS: "We will continue by text message.",
    MessageKey.CUSTOM_MESSAGE: "{text}",
    MessageKey.HANDOFF_PENDING: "We are passing your question on to our team.",
    MessageKey.HANDOFF_FAILED: "Sorry, we could not reach our team just now.",
}
"""The English text of every key; ``{name}`` is replaced by the parameter ``name``."""

_FORMATTER = string.Formatter()


def _fields(template: str) -> list[str]:
    return [name for _, name, _, _ in _FORMATTER.parse(template) if name is not None]


PLACEHOLDERS: Mapping[MessageKey, frozenset[str]] = {
    key: frozenset(_fields(text)) for key, text in DEFAULT_TEXTS.items()
}
"""The parameters each key's message carries, so the placeholders its text may name
(``next_opening``: ``at``; ``continue_by_email``: ``email``; ``custom_message``: ``text``)."""


def check_texts(texts: Mapping[MessageKey, str]) -> dict[MessageKey, str]:
    """``texts`` (a host's replacements for :data:`DEFAULT_TEXTS`) by :class:`MessageKey`,
    when each key is a message key and each text a template that names only the
    placeholders of its key (:data:`PLACEHOLDERS`), each as a plain ``{name}``; else
    :class:`~helpdesk_routing.errors.ValidationError` naming the key and the placeholder
    or the problem. A format spec or a conversion (``{at:>99999999}``, ``{at!r}``) is
    refused: a width is padding the size of the number, and a visitor's message needs
    neither. :func:`render` checks its ``texts`` so; a host may call it once, when it
    loads them, to fail at start-up rather than when a visitor is answered."""
    if not isinstance(texts, Mapping):
        raise ArgumentTypeError(
            f"texts must be a mapping of message keys to texts, got {type(texts).__name__}"
        )
    checked: dict[MessageKey, str] = {}
    for given, template in texts.items():
        try:
            key = MessageKey(given)
        except ValueError:
            raise ValidationError(f"texts: {given!r} is not a message key") from None
        if not isinstance(template, str):
            raise ArgumentTypeError(f"texts[{key}] must be text, got {template!r}")
        allowed = PLACEHOLDERS[key]
        has = ", ".join(f"{{{n}}}" for n in sorted(allowed)) or "none"
        try:
            fields = [f[1:] for f in _FORMATTER.parse(template) if f[1] is not None]
        except ValueError as exc:  # an unmatched brace, a bad conversion
            raise ValidationError(f"texts[{key}] is not a usable template: {exc}") from None
        for name, spec, conversion in fields:
            if name not in allowed:
                raise ValidationError(
                    f"texts[{key}] names {{{name}}}, a placeholder {key} does not have"
                    f" (it has {has})"
                )
            if spec or conversion is not None:
                field = f"{{{name}{f'!{conversion}' if conversion else ''}:{spec}}}"
                if not spec:
                    field = f"{{{name}!{conversion}}}"
                shown = field if len(field) <= 40 else f"{field[:40]}..."
                raise ValidationError(
                    f"texts[{key}] formats {shown}: a placeholder is named plainly, {{{name}}},"
                    " without a format spec or conversion"
                )
        checked[key] = template
    return checked


class VisitorMessage(CheckedCopy):
    """One thing to tell the visitor: ``key`` and its parameters.

    ``model_copy(update=...)`` checks the copy as the constructor checks a message (a
    ``key`` of no message, ``params`` that are not its parameters)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: MessageKey
    params: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _params_of_the_key(self) -> VisitorMessage:
        """Exactly the parameters of the key (:data:`PLACEHOLDERS`): a missing one failed
        only when the message was rendered (``KeyError``), an unknown one never did."""
        problems = _param_problems(self.key, self.params)
        if problems:
            raise PydanticValidationError.from_exception_data(type(self).__name__, problems)
        return self

    @classmethod
    def of(cls, key: MessageKey, **params: str | datetime) -> VisitorMessage:
        """A message; datetime parameters are written in ISO 8601, in UTC (one with no
        time zone is a :class:`~helpdesk_routing.errors.NaiveDatetimeError` naming it: an
        external destination's ``resumes_at`` at +05:30 was shown at +05:30, and a naive
        one with no zone at all). ``params`` are exactly those of ``key``
        (:data:`PLACEHOLDERS`): a missing or unknown one is a
        :class:`~helpdesk_routing.errors.ValidationError` at ``$.params`` naming it."""
        return cls(
            key=key,
            params={
                k: require_aware(v, f"params[{k!r}]").isoformat() if isinstance(v, datetime) else v
                for k, v in params.items()
            },
        )


def _param_problems(key: MessageKey, params: Mapping[str, str]) -> list[InitErrorDetails]:
    """One error per parameter of ``key`` missing from ``params`` (at ``params``) and per
    parameter ``key`` does not have (at ``params.<name>``)."""
    wanted = PLACEHOLDERS[key]
    has = ", ".join(repr(n) for n in sorted(wanted)) or "none"
    problems: list[InitErrorDetails] = [
        InitErrorDetails(
            type=PydanticCustomError(
                "message_param_missing", f"{key} needs the parameter {name!r}"
            ),
            loc=("params",),
            input=dict(params),
        )
        for name in sorted(wanted - params.keys())
    ]
    problems += [
        InitErrorDetails(
            type=PydanticCustomError(
                "message_param_unknown",
                f"{key} has no parameter {name!r} (it has {has})",
            ),
            loc=("params", name),
            input=params[name],
        )
        for name in sorted(params.keys() - wanted)
    ]
    return problems


def render(message: VisitorMessage, texts: Mapping[MessageKey, str] | None = None) -> str:
    """The text of ``message`` from ``texts`` (falling back to :data:`DEFAULT_TEXTS`).

    ``message`` must be a :class:`VisitorMessage` (``ArgumentTypeError`` otherwise: a
    key alone has no parameters). ``texts`` is checked whole first (:func:`check_texts`):
    a text naming a placeholder its key does not have is a ``ValidationError`` naming
    both, whichever message is rendered."""
    if not isinstance(message, VisitorMessage):
        raise ArgumentTypeError(f"message must be a VisitorMessage, got {type(message).__name__}")
    # checked again: one made unchecked (model_construct) gave a raw KeyError or
    # AttributeError for a key of no message, params that are none, no key at all
    # (its key and parameters only, what is rendered: a subclass's own fields, aliased
    # ones too, are its own business)
    given = message.__dict__
    try:
        message = VisitorMessage.model_validate(
            {name: given[name] for name in ("key", "params") if name in given}
        )
    except ValidationError as exc:
        raise ValidationError("invalid message (made unchecked)", exc.details) from None
    # texts checked whatever they are: "", [] or 0 were taken for no texts (``texts or
    # {}``), where check_texts refuses them
    template = check_texts({} if texts is None else texts).get(
        message.key, DEFAULT_TEXTS[message.key]
    )
    return template.format_map(message.params)
