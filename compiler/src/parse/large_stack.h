// ANTLR recurses once per bracket level, and sanitizer builds use several
// times the stack per frame, so everything that drives ANTLR runs here.
#pragma once

#include <functional>

namespace mixtral::parse {

// Runs `fn` on a thread with a 256 MiB stack and waits for it; runs it on
// this thread if no such thread can be made (the nesting limit still bounds it).
void RunWithLargeStack(const std::function<void()>& fn);

}  // namespace mixtral::parse
