// Attribute keys of spans and logs: the one place they are spelled (OBS-1).
#pragma once
#include <string_view>

namespace inplay::attr {
inline constexpr std::string_view kBetId = "bet_id";
inline constexpr std::string_view kEventId = "event_id";
inline constexpr std::string_view kMarketId = "market_id";
inline constexpr std::string_view kSelection = "selection";
inline constexpr std::string_view kLeague = "league";
inline constexpr std::string_view kUser = "user";  // masked pseudonym only
inline constexpr std::string_view kOutcome = "outcome";
inline constexpr std::string_view kRejectCode = "reject_code";
inline constexpr std::string_view kJournalSeq = "journal_seq";
inline constexpr std::string_view kRoute = "http.route";
inline constexpr std::string_view kStatus = "http.status_code";
inline constexpr std::string_view kPspRoute = "psp_route";
inline constexpr std::string_view kFeed = "feed";
inline constexpr std::string_view kProducer = "producer";
inline constexpr std::string_view kParserSchema = "parser_schema";
inline constexpr std::string_view kSynthetic = "synthetic";
// Settlement spans (settle/settle_desk.h).
inline constexpr std::string_view kResultVersion = "result_version";
inline constexpr std::string_view kResultSource = "result_source";
inline constexpr std::string_view kReturn = "return";
inline constexpr std::string_view kBets = "bets";
inline constexpr std::string_view kPosting = "posting";
// A link by attribute: the trace of the market settlement that paid a bet.
inline constexpr std::string_view kSettlementTrace = "settlement.trace_id";
// Cash-out spans (cashout/cashout_desk.h).
inline constexpr std::string_view kCashoutAmount = "cashout.amount";
inline constexpr std::string_view kPriceAgeMs = "price_age_ms";
// A link by attribute: the trace of the cash-out request that closed a bet.
inline constexpr std::string_view kCashoutTrace = "cashout.trace_id";
}  // namespace inplay::attr
