// hand_to_engine: how a partner's thread (a PSP route's or a KYC vendor's
// call worker) gives the engine an answer the book must not lose. The
// engine never waits (rule 3), so the partner's thread does: while the
// inbox is full it offers the task again every 25 ms, up to 200 times (5 s).
// false: it never got in; the caller logs what stays as it was. Any thread
// but the engine's (it sleeps).
#pragma once
#include "engine/engine.h"

namespace inplay {

bool hand_to_engine(Engine& engine, const Engine::Task& task);

}  // namespace inplay
