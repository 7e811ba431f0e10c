// The one way this project runs ANTLR's parser over a token stream.
#pragma once

#include "MixtralParser.h"

namespace mixtral::parse {

// SLL first: exact for correct input, and much faster. On failure, the
// stream is re-parsed in full LL with `listener`, so that a syntax error is
// reported where a person would expect it; the listener's exceptions
// propagate to the caller.
mixtral_gen::MixtralParser::File_Context* ParseTwoStage(mixtral_gen::MixtralParser& parser,
                                                       antlr4::CommonTokenStream& tokens,
                                                       antlr4::ANTLRErrorListener* listener);

}  // namespace mixtral::parse
