"""Following up through the rep's accounts: the cadence message sent by e-mail, and tasks
completed in another app read back as logged touches.

Sending writes the outbound touch first, with the e-mail job in the same transaction, so
nothing the rep did is lost whatever happens to the network; the outbox then sends it (at
once when it can, later with backoff when it cannot). A task completed elsewhere is logged
once: a second reading finds its step done and leaves it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from followup_desk.domain.cadences import Channel
from followup_desk.domain.touches import Direction, says_nothing_new
from followup_desk.errors import InvalidInputError
from followup_desk.services.followup_jobs import FollowupJobs
from followup_desk.services.followups import EmptyTouchWarning, FollowupService, TouchLogged
from followup_desk.services.outbox import OutboxService, Sent

log = logging.getLogger(__name__)

COMPLETED_NOTE = "completed in another app"
_GAP = re.compile(r"\[[^\[\]\n]{2,}\]")


class UnfilledMessageWarning(EmptyTouchWarning):
    """The message still holds a [gap] for the rep to fill; they may send it anyway."""


@dataclass(frozen=True)
class Draft:
    """The e-mail as it would go: for the rep to read (and edit) before sending."""

    prospect_id: int
    name: str
    to: str
    sender: str
    subject: str
    body: str
    account: str = ""  # the SMTP account it goes through


@dataclass(frozen=True)
class MessageSent:
    touch: TouchLogged
    to: str
    subject: str
    sent: Sent | None  # what the first try came to (None: not tried yet)

    @property
    def delivered(self) -> bool:
        return self.sent is not None and self.sent.state.value == "sent"


def split_subject(text: str) -> tuple[str, str]:
    """("Subject" line of the text, the rest) when it opens with "Subject: ...", else ("", text)."""
    stripped = text.lstrip("\n")
    first, _, rest = stripped.partition("\n")
    if first.lower().startswith("subject:"):
        return first.split(":", 1)[1].strip(), rest.lstrip("\n")
    return "", text


class FollowupOutbox:
    def __init__(
        self,
        followups: FollowupService,
        jobs: FollowupJobs,
        outbox: OutboxService,
        empty_phrases: Sequence[str],
    ) -> None:
        self._followups = followups
        self._jobs = jobs
        self._outbox = outbox
        self._empty = tuple(empty_phrases)

    def can_send(self) -> bool:
        """Whether there is an SMTP account to send messages through."""
        return self._jobs.smtp() is not None

    def draft(self, prospect_id: int, body: str | None = None) -> Draft:
        """The cadence message (or ``body``) as the e-mail it would be.

        Raises InvalidInputError with the sentence to show when it cannot be sent: no SMTP
        account, no address, no message.
        """
        prospect = self._followups.prospect(prospect_id)
        account = self._jobs.smtp()
        if account is None:
            raise InvalidInputError(
                "There is no e-mail (SMTP) account to send the message through; add one "
                "(File > Accounts..., or followup-desk account add smtp ...), or copy the "
                "message (M) and send it from your mail program."
            )
        if not prospect.email.strip():
            raise InvalidInputError(
                f"{prospect.name} has no e-mail address to send the message to; reach them "
                "another way, or copy the message (M)."
            )
        text = body if body is not None else self._followups.message(prospect_id)
        if not text.strip():
            raise InvalidInputError(
                f"{prospect.name} has no cadence message due; write one "
                "(followup-desk send-message ID --body-file FILE)."
            )
        subject, rest = split_subject(text)
        if not subject:
            meeting = self._jobs.meeting_words(prospect_id) or "our conversation"
            subject = f"Following up: {meeting}"
        return Draft(
            prospect_id,
            prospect.name,
            prospect.email,
            account.from_address,
            subject,
            rest,
            account.name,
        )

    def send_message(
        self,
        prospect_id: int,
        body: str | None = None,
        subject: str | None = None,
        *,
        force: bool = False,
        send_now: bool = True,
    ) -> MessageSent:
        """Log the outbound e-mail touch and queue the e-mail with it; then try to send it.

        Unless ``force``: a message that tells the prospect nothing new, or still holds a
        [gap] to fill, is refused with a warning the rep may override.
        """
        draft = self.draft(prospect_id, body)
        title = (subject or draft.subject).strip()
        if not force:
            empty = says_nothing_new(draft.body, self._empty)
            if empty is not None:
                raise EmptyTouchWarning(
                    f"That message ({empty!r}) tells {draft.name} nothing new. Add what is "
                    "new for them (an idea, a result, a date), or send it anyway."
                )
            gap = _GAP.search(draft.body)
            if gap is not None:
                raise UnfilledMessageWarning(
                    f"The message still has {gap.group(0)} for you to fill in before "
                    f"{draft.name} reads it. Fill it in, or send it anyway."
                )
        job = self._jobs.message_job(
            draft.account, draft.sender, draft.name, draft.to, title, draft.body
        )
        logged = self._followups.log_touch(
            prospect_id,
            Channel.EMAIL,
            Direction.OUT,
            f"E-mail: {title}\n\n{draft.body}",
            force=True,
            jobs=[job],
        )
        log.info("follow-up e-mail queued for prospect %s (touch %s)", prospect_id, logged.touch_id)
        sent = None
        if send_now:
            results = self._outbox.run_due(uid=job.uid)
            sent = results[0] if results else None
        return MessageSent(logged, draft.to, title, sent)

    def read_back_tasks(self) -> list[str]:
        """Tasks completed in another app since the last time, logged as touches; first,
        the due touches that never reached the task list are queued for it.

        Returns a sentence per touch logged (and one for tasks published). Idempotent: a
        step already done (or an enrolment no longer running) is left as it is.
        """
        said = []
        published = self._followups.publish_due_tasks()
        if published:
            said.append(
                f"{published} due touch{'es' if published != 1 else ''} put on the task list."
            )
        now = self._followups.now()
        found, read_up_to_here = self._jobs.completed_elsewhere()
        for done in found:
            enrolment = self._followups.active_enrolment(done.prospect_id)
            if enrolment is None or enrolment.id != done.enrolment_id:
                continue
            if done.step in enrolment.done_steps:
                continue
            channel = next((c for c in Channel if c.value == done.channel), None)
            if channel is None:
                channel = self._followups.step_channel(enrolment, done.step)
            logged = self._followups.log_touch(
                done.prospect_id,
                channel,
                Direction.OUT,
                COMPLETED_NOTE,
                force=True,
                at=min(done.at, now) if done.at else now,
                step=done.step,
            )
            name = self._followups.prospect(done.prospect_id).name
            said.append(f"{name}: {channel.value} done (completed in another app).")
            log.info("task %s completed elsewhere: touch %s", done.uid, logged.touch_id)
        read_up_to_here()  # only now: a failure above reads the same changes again
        return said
