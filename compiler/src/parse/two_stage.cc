#include "parse/two_stage.h"

namespace mixtral::parse {

mixtral_gen::MixtralParser::File_Context* ParseTwoStage(mixtral_gen::MixtralParser& parser,
                                                       antlr4::CommonTokenStream& tokens,
                                                       antlr4::ANTLRErrorListener* listener) {
  parser.removeErrorListeners();
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  try {
    return parser.file_();
  } catch (const antlr4::ParseCancellationException&) {
  }
  tokens.seek(0);
  parser.reset();
  parser.addErrorListener(listener);
  parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::LL);
  return parser.file_();
}

}  // namespace mixtral::parse
