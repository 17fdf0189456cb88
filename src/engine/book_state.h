// BookState: everything the engine thread owns — the book, exposures, the
// ledger, accepted bets and the idempotency store — and the one function
// that changes it: apply(BookEvent). Live decisions and journal replay both
// go through apply(), so replaying the journal rebuilds the same state;
// state_hash() proves it (tests compare the hash before a crash and after
// replay). Engine thread only.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include "bet/bet.h"
#include "bet/bet_table.h"
#include "hedge/hedge_book.h"
#include "journal/events.h"
#include "market/book.h"
#include "kyc/screening_book.h"
#include "payment/payment_book.h"
#include "risk/exposure.h"
#include "risk/risk_check.h"
#include "settle/settlement_book.h"
#include "wallet/account_owners.h"
#include "wallet/idempotency.h"
#include "wallet/ledger.h"

namespace inplay {

struct BookState {
  BookState(Currency currency, int64_t idempotency_ttl_ns)
      : exposure(book), ledger(currency), idempotency(idempotency_ttl_ns) {}
  BookState(const BookState&) = delete;

  Book book;
  Exposure exposure;
  Ledger ledger;
  // The channel that opened each user account (SEC-1).
  AccountOwners owners;
  IdempotencyStore idempotency;
  BetTable bets;
  // Results, cancels, postings and the settlement dead-letter queue.
  SettlementBook settlement;
  // Hedge orders to exchange venues and their answers (hedge/hedge_desk.h).
  HedgeBook hedges;
  // Deposits and withdrawals through PSP routes (payment/payment_desk.h).
  PaymentBook payments;
  // The PSP route new payments go to, once a switch was journaled ("": the
  // config's payments.active).
  std::string payment_route;
  // KYC/AML screenings of new accounts and big withdrawals (kyc/kyc_desk.h).
  ScreeningBook screenings;
  // The KYC controls an operator or a playbook changed, journaled as actions
  // (ActionRecorded kyc_switch_vendor, kyc_rule_paused / kyc_rule_resumed):
  // the vendor screenings go to ("": the config's kyc.active) and whether
  // the withdrawal rule is paused. A restart comes back as it was left.
  std::string kyc_vendor;
  bool kyc_withdrawal_rule_paused = false;
  // sport -> the feed that prices it, once a switch was journaled (the
  // feed desk starts on it instead of the configured one).
  std::map<std::string, std::string> active_feeds;
  // incident id -> its latest snapshot (playbook/incident_codec.h).
  std::map<uint64_t, std::string> incidents;
  int64_t open_bets = 0;  // bets accepted and neither settled nor cancelled
  // The book-wide intake limit, bets per second (0: none): shed load for
  // the whole book (a MarketControlSet on market 0, BET-5).
  int64_t book_intake_per_second = 0;
  uint64_t next_bet_id = 1;
  uint64_t events_applied = 0;

  // Sizes the idempotency index for n entries, so that none of the first n
  // bets rehashes it on the engine thread (a stall of ~100 ms per 400,000
  // entries; EngineConfig::reserve_bets), and the bet table's directory.
  void reserve_bets(size_t n) {
    bets.reserve(n);
    idempotency.reserve(n);
  }

  // Throws std::invalid_argument if the event names something the book does
  // not have (a journal written by another configuration).
  void apply(const BookEvent& e);
  SettlementRefs settlement_refs() { return SettlementRefs{book, ledger, exposure, bets, open_bets}; }

  // SHA-256 (hex) over a canonical rendering of balances, account owners,
  // bets (with their
  // settlement), market statuses, caps and prices, results, cancels and
  // dead letters, active feeds, incidents, hedges, payments and KYC controls. Excludes the idempotency
  // store (its TTL expiry depends on when it is looked at).
  std::string state_hash() const;
};

}  // namespace inplay
