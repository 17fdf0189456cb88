// Hedging routes (docs/api.md "Hedging"; CO-4), operator only:
//   GET /v1/hedges   the hedge orders the book instructed (newest first, at
//                    most 200), what the venue answered, how often each was
//                    sent, and the venue's health as the book sees it.
#include "hedge/hedge_view.h"
#include "http/api_internal.h"

namespace inplay {


void Api::Impl::add_hedge_routes() {
  routes.add({"GET", "/v1/hedges", Access::kOperator, [this](Call& c) {
                read(c.x, [desk = d.hedge](Engine& e) { return Reply{200, hedges_json(e.state(), desk, 200)}; });
              }});
}

}  // namespace inplay
