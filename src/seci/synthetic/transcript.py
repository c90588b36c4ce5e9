"""Render one call's turns from what the pipeline decided about it.

A call follows the shape of real 10086 calls: greeting; the caller's situation in their own
words; an identity check when the business needs it; a lookup on hold (with system timeouts);
the explanation with figures; a few follow-up exchanges and backchannels; personal data read
out; back-office tickets, hedges, complaints and callback promises when they happened; the
caller's reaction; "anything else?"; goodbye. Turns mostly alternate, not strictly.

Timing: each turn takes its characters at speaking pace (~3.6 characters a second, pauses inside
the turn included) plus a pause of 0.3–1.5 s between turns. Long calls get longer sentences and
slower speech; whatever the handling time leaves over goes to holds (after "请您稍等", timeouts
and tickets). When the words need longer than the drawn handling time, the call is
longer: ``duration_s`` always covers the last turn.

Every spoken variant is built once (``speech.variants``), and the common openings and endings
are precomposed; a call only picks from tuples, about a microsecond a turn. Agents have their
own voice: a few preferred openings, holds, callbacks and closings each, which is what agents'
transcripts look like (and where text effects add an agent's habits).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from itertools import accumulate, repeat
from operator import add, mul
from typing import Any

from seci.synthetic import phrases as ph
from seci.synthetic.speech import Slots, variants
from seci.synthetic.world import Habit, World

_MS_PER_CHAR = 280  # speaking pace with the pauses inside a turn
_GAP_POOL_SIZE = 4099
_CUSTOMER_VARIANTS = 14
_AGENT_VARIANTS = 4
_COMPOSED = 48  # precomposed choices per slot (openings with fillers, endings …)


@dataclass(frozen=True)
class Voice:
    """The phrases one agent habitually uses."""

    opening: tuple[str, ...]
    opening_premium: tuple[str, ...]
    verify: tuple[int, ...]  # indices into phrases.VERIFY
    hold: tuple[str, ...]  # with or without an empathy lead-in ("明白了，")
    # How the agent's calls end, precomposed: index 2·kind + wrap_up, kind 0 resolved,
    # 1 callback promised, 2 unresolved without one; each a list of (texts, speakers).
    endings: tuple[list[tuple[tuple[str, ...], tuple[str, ...]]], ...]
    habits: dict[int, tuple[float, tuple[str, ...]]]  # product (−1: any) → (rate, lines)


def _flat(texts: tuple[str, ...], rnd: random.Random, speaker: str) -> tuple[str, ...]:
    per = _CUSTOMER_VARIANTS if speaker == "customer" else _AGENT_VARIANTS
    return variants(texts, rnd, per, speaker)


def _each(texts: tuple[str, ...], rnd: random.Random, speaker: str) -> list[tuple[str, ...]]:
    """Variants kept apart per text, so a call can avoid saying the same thing twice."""
    return [_flat((text,), rnd, speaker) for text in texts]


def _steps(m: int) -> tuple[int, ...]:
    """Strides that visit every one of ``m`` items once (coprime with m)."""
    return tuple(k for k in range(1, max(m, 2)) if math.gcd(k, m) == 1) or (1,)


def _placed(inserts: list[tuple[str, str]]) -> tuple[
        list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """Inserted turns by where they go: after the explanation (":mid"), after the
    conversation (no flag) and just before the ending (":end"), each in the order given."""
    middle: list[tuple[str, str]] = []
    after: list[tuple[str, str]] = []
    closing: list[tuple[str, str]] = []
    for speaker, line in inserts:
        flags = speaker.split(":")[1:]
        (middle if "mid" in flags else closing if "end" in flags else after).append(
            (speaker, line))
    return middle, after, closing


def _pick(rnd: random.Random, options: tuple[str, ...]) -> str:
    return options[int(rnd.random() * len(options))]


class Renderer:
    """Spoken-variant pools for a world, and the per-call turn builder."""

    def __init__(self, world: World, rnd: random.Random) -> None:
        self.rnd = rnd
        c, a = "customer", "agent"
        self.follow_ups: list[list[tuple[str, ...]]] = []
        # Agents' replies to follow-ups: the topic's answers, then its explanations.
        self.replies: list[list[tuple[str, ...]]] = []
        self.answer_counts: list[int] = []
        self.prefix = _flat(ph.GREETING_PREFIX, rnd, c)
        self.details = _flat(ph.CUSTOMER_DETAILS, rnd, c)
        self.empathy = _flat(ph.EMPATHY, rnd, a)
        self.returns = _flat(ph.RETURN, rnd, a)
        # A caller's first turn: perhaps "喂" first (not typed online), perhaps a detail after.
        self.openers: list[list[tuple[str, ...]]] = []
        self.openers_online: list[list[tuple[str, ...]]] = []
        # The agent back from the lookup: "感谢您的耐心等待。" + the explanation.
        self.told: list[list[tuple[str, ...]]] = []
        self.explains: list[tuple[tuple[int, ...], ...]] = []
        self.ambient: list[tuple[int, ...]] = []  # situations ordinary calls pick from
        for product in world.products:
            topic = world.topics[product.name]
            self.explains.append(topic.explains or ((),) * len(topic.situations))
            self.ambient.append(topic.ambient or tuple(range(len(topic.situations))))
            situations = _each(topic.situations, rnd, c)
            self.openers.append([self._openers(v, rnd, spoken=True) for v in situations])
            self.openers_online.append([self._openers(v, rnd, spoken=False)
                                        for v in situations])
            self.follow_ups.append(_each(topic.follow_ups, rnd, c))
            explanations = _each(topic.explanations, rnd, a)
            self.told.append([tuple(_pick(rnd, self.returns) + _pick(rnd, v)
                                    for _ in range(_COMPOSED // 3)) for v in explanations])
            self.replies.append(_each(topic.answers, rnd, a) + explanations)
            self.answer_counts.append(len(topic.answers))
        self.generic_follow_ups = _each(ph.GENERIC_FOLLOW_UPS, rnd, c)
        self.generic_answers = _each(ph.GENERIC_ANSWERS, rnd, a)
        self.details_each = _each(ph.CUSTOMER_DETAILS, rnd, c)
        # What an agent adds to a turn in a long call: the topic's replies, then generic ones.
        self.padding = [replies + self.generic_answers for replies in self.replies]
        self.steps = {m: _steps(m) for m in range(1, 64)}
        self.verify = [(_flat((ask,), rnd, a), _flat(answers, rnd, c))
                       for ask, answers in ph.VERIFY]
        self.verify_number = (_flat((ph.VERIFY_NUMBER,), rnd, a),
                              _flat(ph.PII_PHONE_QUERY, rnd, c))
        self.timeout = _flat(ph.TIMEOUT, rnd, a)
        self.timeout_reaction = _flat(ph.TIMEOUT_REACTION, rnd, c)
        self.backoffice = _flat(ph.BACKOFFICE, rnd, a)
        self.hedge = _flat(ph.HEDGE, rnd, a)
        self.complaint = _flat(ph.COMPLAINT_CUSTOMER, rnd, c)
        self.apology = _flat(ph.APOLOGY, rnd, a)
        self.ticket = _flat(ph.COMPLAINT_TICKET, rnd, a)
        self.nothing_else = _flat(ph.NOTHING_ELSE, rnd, c)
        self.resolved_reaction = _flat(ph.RESOLVED_REACTION, rnd, c)
        self.unresolved_reaction = _flat(ph.UNRESOLVED_REACTION, rnd, c)
        self.agent_backchannel = _flat(ph.AGENT_BACKCHANNEL, rnd, a)
        self.customer_backchannel = ph.CUSTOMER_BACKCHANNEL
        self.pii = (
            (),
            _flat(ph.PII_PHONE, rnd, c),
            _flat(ph.PII_ID, rnd, c),
            _flat(ph.PII_CARD, rnd, c),
        )
        self.voices = [self._voice(rnd, world.habits, i, a.agent_id[1:])
                       for i, a in enumerate(world.agents)]
        # Pauses between turns (ms), drawn once: a call takes a random run of them.
        gaps = [300 + int(rnd.random() * 1200) for _ in range(_GAP_POOL_SIZE)]
        self._gap_pool = gaps + gaps[:64]

    def _openers(self, variants_: tuple[str, ...], rnd: random.Random, *, spoken: bool
                 ) -> tuple[str, ...]:
        out: dict[str, None] = {}
        for _ in range(_COMPOSED):
            text = _pick(rnd, variants_)
            if spoken and rnd.random() < 0.4:
                text = _pick(rnd, self.prefix) + " " + text
            if rnd.random() < 0.35:
                text += " " + _pick(rnd, self.details)
            out[text] = None
        return tuple(out)

    def _endings(self, rnd: random.Random, callback: tuple[str, ...],
                 anything_else: tuple[str, ...], closing: tuple[str, ...]
                 ) -> tuple[list[tuple[tuple[str, ...], tuple[str, ...]]], ...]:
        a, c = "agent", "customer"
        pools: list[list[tuple[tuple[str, ...], tuple[str, ...]]]] = []
        for kind in range(3):
            for wrap_up in (False, True):
                pool = []
                for _ in range(_COMPOSED // 2):
                    texts: list[str] = []
                    speakers: list[str] = []
                    if kind == 0:
                        texts.append(_pick(rnd, self.resolved_reaction))
                        speakers.append(c)
                    else:
                        if kind == 1:
                            texts.append(_pick(rnd, callback))
                            speakers.append(a)
                        texts.append(_pick(rnd, self.unresolved_reaction))
                        speakers.append(c)
                    if wrap_up:
                        texts += (_pick(rnd, anything_else), _pick(rnd, self.nothing_else))
                        speakers += (a, c)
                    texts.append(_pick(rnd, closing))
                    speakers.append(a)
                    pool.append((tuple(texts), tuple(speakers)))
                pools.append(pool)
        return tuple(pools)

    def _voice(self, rnd: random.Random, habits: list[Habit], agent: int, agent_no: str
               ) -> Voice:
        def some(texts: tuple[str, ...], k: int) -> tuple[str, ...]:
            chosen = _flat(tuple(rnd.sample(texts, min(k, len(texts)))), rnd, "agent")
            return tuple(t.replace("{agent_no}", agent_no) for t in chosen)

        own: dict[int, tuple[float, tuple[str, ...]]] = {}
        for habit in habits:
            if habit.agent == agent:
                key = -1 if habit.product is None else habit.product
                own[key] = (habit.rate, _flat(habit.lines, rnd, "agent"))
        holds = some(ph.HOLD, 2)
        hold = tuple(dict.fromkeys(
            _pick(rnd, self.empathy) + _pick(rnd, holds) if rnd.random() < 0.45
            else _pick(rnd, holds) for _ in range(_COMPOSED // 3)))
        endings = self._endings(rnd, some(ph.CALLBACK, 2), some(ph.ANYTHING_ELSE, 2),
                                some(ph.CLOSINGS, 2))
        return Voice(opening=some(ph.OPENINGS, 2), opening_premium=some(ph.OPENINGS_PREMIUM, 2),
                     verify=tuple(rnd.sample(range(len(ph.VERIFY)), 3)), hold=hold,
                     endings=endings, habits=own)

    def render(self, agent: int, agent_no: str, product: int, situation: int, premium: bool,
               online: bool, verify: bool, backoffice: bool, timeouts: int, hedge: bool,
               pii: int, resolved: bool, complaint: bool, duration_s: float, year: int,
               month: int, district: str, region_code: str,
               inserts: list[tuple[str, str]] | None) -> tuple[list[dict[str, Any]], int]:
        """The call's turns and its handling time in whole seconds (≥ the drawn one).
        Positional on purpose: it runs once per call."""
        r = self.rnd.random
        voice = self.voices[agent]
        texts: list[str] = []
        speakers: list[str] = []
        holds: list[int] = []  # turn indices followed by a hold
        say = texts.append
        who = speakers.append
        agent_, customer_ = "agent", "customer"

        opening = voice.opening_premium if premium else voice.opening
        say(opening[int(r() * len(opening))])
        who(agent_)
        pool = (self.openers_online if online else self.openers)[product]
        if situation < 0:
            ambient = self.ambient[product]
            situation = ambient[int(r() * len(ambient))]
        options = pool[situation]
        say(options[int(r() * len(options))])
        who(customer_)
        if verify or pii == 2:
            if pii == 2:  # asked for the last six digits, the caller reads out all of them
                asks, answers = self.verify[ph.VERIFY_ID][0], self.pii[2]
            elif pii == 1 and r() < 0.5:
                asks, answers = self.verify_number
                pii = 0
            else:
                asks, answers = self.verify[voice.verify[int(r() * len(voice.verify))]]
            say(asks[int(r() * len(asks))])
            who(agent_)
            say(answers[int(r() * len(answers))])
            who(customer_)
        say(voice.hold[int(r() * len(voice.hold))])
        who(agent_)
        holds.append(len(texts) - 1)
        for _ in range(timeouts):
            say(self.timeout[int(r() * len(self.timeout))])
            who(agent_)
            if r() < 0.5:
                say(self.timeout_reaction[int(r() * len(self.timeout_reaction))])
                who(customer_)
            last = len(texts) - 1
            holds.extend((last, last, last))  # a timed-out lookup holds longer than a lookup
        explanations = self.told[product]
        fitting = self.explains[product][situation]  # what answers this situation
        told = fitting[int(r() * len(fitting))] if fitting else int(r() * len(explanations))
        options = explanations[told]
        say(options[int(r() * len(options))])
        who(agent_)
        body = len(texts) - 1  # from the explanation to the last exchange: room for more words
        closing: list[tuple[str, str]] | None = None
        middle: list[tuple[str, str]] = []
        if inserts and any(":" in speaker for speaker, _ in inserts):
            middle, inserts, closing = _placed(inserts)
            for speaker, line in middle:
                say(line)
                who(agent_ if speaker.startswith("agent") else customer_)
                if ":hold" in speaker:
                    holds.extend((len(texts) - 1,) * 3)  # a transfer holds longer

        # Turns still to come: habit, personal data, hedge, ticket, complaint, reaction and
        # callback, "anything else?", goodbye. Exchanges fill up to the length the handling
        # time suggests, never past 30 turns.
        tail = (6 + (2 if pii == 1 or pii == 3 else 0) + hedge + backoffice + 3 * complaint
                + (len(inserts) if inserts else 0) + (len(closing) if closing else 0))
        room = 30 - tail
        target = 5.0 + 7.5 * math.log(max(duration_s, 30.0) / 30.0) + 3.0 * (r() - 0.5)
        exchanges = max(0, min(int((target - len(texts) - tail) / 2), (room - len(texts)) // 2))
        wrap_up = exchanges > 0 or r() < 0.6  # short calls may end without "anything else?"
        told = self.answer_counts[product] + told  # its index among the replies
        if exchanges:
            self._exchanges(texts, speakers, product, exchanges, room, told)
        self._lengthen(texts, speakers, product, body, told, duration_s,
                       len(middle))

        if voice.habits:
            habit = voice.habits.get(product) or voice.habits.get(-1)
            if habit is not None and r() < habit[0]:
                say(habit[1][int(r() * len(habit[1]))])
                who(agent_)
        if inserts:
            for speaker, line in inserts:
                say(line)
                who(agent_ if speaker.startswith("agent") else customer_)
                if ":hold" in speaker:
                    holds.extend((len(texts) - 1,) * 3)
        if pii == 1 or pii == 3:
            lines = self.pii[pii]
            say(lines[int(r() * len(lines))])
            who(customer_)
            say(self.agent_backchannel[int(r() * len(self.agent_backchannel))])
            who(agent_)
        if hedge:
            say(self.hedge[int(r() * len(self.hedge))])
            who(agent_)
        if backoffice:
            say(self.backoffice[int(r() * len(self.backoffice))])
            who(agent_)
            holds.append(len(texts) - 1)
        if complaint:
            say(self.complaint[int(r() * len(self.complaint))])
            who(customer_)
            say(self.apology[int(r() * len(self.apology))])
            who(agent_)
            say(self.ticket[int(r() * len(self.ticket))])
            who(agent_)
        if closing:
            for speaker, line in closing:
                say(line)
                who(agent_ if speaker.startswith("agent") else customer_)
        kind = 0 if resolved else 1 if backoffice or complaint or r() < 0.6 else 2
        endings = voice.endings[2 * kind + wrap_up]
        ending_texts, ending_speakers = endings[int(r() * len(endings))]
        texts += ending_texts
        speakers += ending_speakers

        slots: Slots | None = None
        for i, text in enumerate(texts):
            if "{" in text:
                if slots is None:
                    slots = Slots(self.rnd, year, month, district, region_code, agent_no)
                texts[i] = text.format_map(slots)
        return self._timed(texts, speakers, holds, duration_s)

    def _exchanges(self, texts: list[str], speakers: list[str], product: int, count: int,
                   room: int, told: int) -> None:
        """Follow-up questions and replies, each said at most once in a call."""
        r = self.rnd.random
        asks, replies = self.follow_ups[product], self.replies[product]
        n_asks, n_replies = len(asks), len(replies)
        ask_at, reply_at = int(r() * n_asks), int(r() * n_replies)
        steps = self.steps[n_asks]
        ask_step = steps[int(r() * len(steps))]
        steps = self.steps[n_replies]
        reply_step = steps[int(r() * len(steps))]
        generic_asks, generic_answers = self.generic_follow_ups, self.generic_answers
        extra_at = int(r() * len(generic_asks))
        asked = 0
        for replied in range(1, count + 1):
            if len(texts) + 2 > room:
                break
            if r() < 0.75:
                if asked < n_asks:
                    pool = asks[(ask_at + asked * ask_step) % n_asks]
                else:
                    pool = generic_asks[(extra_at + asked) % len(generic_asks)]
                asked += 1
                texts.append(pool[int(r() * len(pool))])
            else:
                texts.append(self.customer_backchannel[int(r() * len(self.customer_backchannel))])
            speakers.append("customer")
            if r() < 0.12 and len(texts) + 2 <= room:
                texts.append(self.agent_backchannel[int(r() * len(self.agent_backchannel))])
                speakers.append("agent")
            k = (reply_at + (replied - 1) * reply_step) % n_replies
            if replied > n_replies or k == told:
                pool = generic_answers[(extra_at + replied) % len(generic_answers)]
            else:
                pool = replies[k]
            texts.append(pool[int(r() * len(pool))])
            speakers.append("agent")

    def _lengthen(self, texts: list[str], speakers: list[str], product: int, body: int,
                  told: int, duration_s: float, kept: int = 0) -> None:
        """Long calls are long partly because people say more: while the words would fill
        less than 45 % of the handling time, a caller adds a detail or an agent a further
        explanation to a turn of the conversation's body (one sentence a turn at most, none
        said twice in a call). The ``kept`` turns after the explanation (lines an effect
        inserted there) stay as they are."""
        missing = duration_s * 450 - _MS_PER_CHAR * sum(map(len, texts))
        span = len(texts) - body
        if missing <= 0 or span < 2:
            return
        r = self.rnd.random
        more = self.padding[product]
        details = self.details_each
        start, steps = int(r() * span), self.steps[span]
        step = steps[int(r() * len(steps))]
        said = heard = 0
        said_at, heard_at = int(r() * len(more)), int(r() * len(details))
        for k in range(min(span, int(missing / 6000))):
            i = body + (start + k * step) % span
            if body < i <= body + kept:
                continue
            if speakers[i] == "agent":
                if said == len(more):
                    continue
                k = (said_at + said) % len(more)
                said += 1
                if k == told:  # the explanation the call started with
                    continue
                pool = more[k]
                extra = pool[int(r() * len(pool))]
                if extra not in texts[i]:
                    texts[i] += extra
            else:
                if heard == len(details):
                    continue
                pool = details[(heard_at + heard) % len(details)]
                heard += 1
                texts[i] += " " + pool[int(r() * len(pool))]

    def _timed(self, texts: list[str], speakers: list[str], holds: list[int],
               duration_s: float) -> tuple[list[dict[str, Any]], int]:
        n = len(texts)
        spans = list(map(add, map(mul, map(len, texts), repeat(_MS_PER_CHAR)), repeat(250)))
        offset = int(self.rnd.random() * _GAP_POOL_SIZE)
        steps = list(map(add, spans, self._gap_pool[offset:offset + n]))
        needed = sum(steps)
        drawn = int(duration_s * 1000)
        excess = drawn - needed
        if excess > 0:
            # Slower speech takes up to a third more time; holds take the rest.
            slower = min(excess, sum(spans) // 3) // n
            steps = list(map(add, steps, repeat(slower)))
            excess -= slower * n
            weights = self._gap_pool[offset + n:offset + n + len(holds)]
            total = sum(weights)
            for k, w in zip(holds, weights, strict=True):
                steps[k] += excess * w // total
        starts = accumulate(steps, initial=0)
        turns = [{"speaker": s, "text": t, "start_ms": m}
                 for s, t, m in zip(speakers, texts, starts, strict=False)]
        return turns, -(-max(needed, drawn) // 1000)
