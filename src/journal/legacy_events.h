// Legacy events: the record types 2, 3 and 4 written before the journal
// stopped storing HTTP (issue 13). Each carried its request's reply (status
// and body); they are read into today's structs — the refusal's message and
// the receipt's trace id come out of the stored body — so a journal written
// by an older Inplay replays to the same state and its idempotent repeats
// render the same bytes. Never written.
#pragma once
#include "journal/codec.h"
#include "journal/events.h"

namespace inplay {

// type: kMoneyMovedV1, kBetAcceptedV1 or kRejectedV1. Throws like
// decode_event on a malformed payload.
BookEvent decode_legacy_event(EventType type, ByteReader& r);

// The fields both versions of a record start with (events.cpp).
void read_money_head(ByteReader& r, MoneyMoved& e);  // account .. at_ns
void read_bet_head(ByteReader& r, BetAccepted& e);   // bet_id .. accepted_ns

}  // namespace inplay
