"""How an open stream uses the bus's notices: sent on as they are when they follow on from
what the stream sent, a database read when they do not."""

from __future__ import annotations

from seci.assistant.bus import RESYNC, Notice, StoredMessage
from seci.assistant.stream import Batch, Follower


def _notice(*seqs: int, internal: tuple[int, ...] = (), closed: bool = False) -> Notice:
    return Notice(max(seqs), tuple(StoredMessage(s, s in internal, {"seq": s}) for s in seqs),
                  closed)


def test_a_notice_that_follows_on_is_sent_without_reading() -> None:
    follower = Follower(after_seq=3, customer_view=True)
    assert follower.take_notice(_notice(4, 5)) == [(4, {"seq": 4}), (5, {"seq": 5})]
    assert follower.last == 5
    assert follower.take_notice(_notice(4, 5)) == []  # heard twice: nothing twice


def test_a_gap_means_reading_the_database_and_changes_nothing() -> None:
    follower = Follower(after_seq=3, customer_view=True)
    assert follower.take_notice(_notice(5, 6)) is None  # 4 was lost or is overtaken
    assert follower.last == 3
    assert follower.take_notice(Notice(6)) is None  # a seq without its messages
    assert follower.take_notice(RESYNC) is None  # the bus may have missed notices


def test_customers_never_get_agents_notes_yet_the_stream_moves_past_them() -> None:
    customer = Follower(after_seq=3, customer_view=True)
    assert customer.take_notice(_notice(4, 5, internal=(4,))) == [(5, {"seq": 5})]
    assert customer.last == 5
    agent = Follower(after_seq=3, customer_view=False)
    assert [seq for seq, _ in agent.take_notice(_notice(4, 5, internal=(4,))) or []] == [4, 5]


def test_a_read_counts_notes_it_did_not_return_so_the_next_notice_follows_on() -> None:
    customer = Follower(after_seq=0, customer_view=True)
    # Messages 1–2 visible, 3 an agent's note: the read returns 1–2 and the count 3.
    events = customer.take_batch(Batch([(1, {}), (2, {})], closed=False, upto=3))
    assert [seq for seq, _ in events] == [1, 2]
    assert customer.take_notice(_notice(4)) == [(4, {"seq": 4})]


def test_the_closing_notice_ends_the_stream_after_its_messages() -> None:
    follower = Follower(after_seq=1, customer_view=True)
    assert follower.take_notice(_notice(2, 3, closed=True)) == [(2, {"seq": 2}),
                                                                (3, {"seq": 3})]
    assert follower.closed
    late = Follower(after_seq=3, customer_view=True)
    assert late.take_notice(_notice(2, 3, closed=True)) == []  # read already; still ends
    assert late.closed
