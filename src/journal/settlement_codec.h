// The on-disk encoding of the settlement events (journal/settlement_events.h),
// in the style of events.cpp: little-endian fields in declaration order,
// strings and lists u32-length prefixed. Decoders throw like decode_event.
#pragma once
#include "journal/codec.h"
#include "journal/settlement_events.h"

namespace inplay {

void encode_settlement(ByteWriter& w, const MarketSettled& e);
void encode_settlement(ByteWriter& w, const BetPostings& e);
void encode_settlement(ByteWriter& w, const SettlementRolledBack& e);
void encode_settlement(ByteWriter& w, const BetsCancelled& e);
void encode_settlement(ByteWriter& w, const CancelRolledBack& e);
void encode_settlement(ByteWriter& w, const SettlementDeadLettered& e);
void encode_settlement(ByteWriter& w, const DeadLetterResolved& e);

MarketSettled decode_market_settled(ByteReader& r);
BetPostings decode_bet_postings(ByteReader& r);
SettlementRolledBack decode_settlement_rolled_back(ByteReader& r);
BetsCancelled decode_bets_cancelled(ByteReader& r);
CancelRolledBack decode_cancel_rolled_back(ByteReader& r);
SettlementDeadLettered decode_settlement_dead_lettered(ByteReader& r);
DeadLetterResolved decode_dead_letter_resolved(ByteReader& r);

}  // namespace inplay
