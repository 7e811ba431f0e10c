// What the CLI's commands share: exit codes (contract §9), reading files and
// compiling with diagnostics on stderr.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "mixtral/compiler/compiler.h"

namespace mixtral::cli {

enum Exit : int { kOk = 0, kUserError = 1, kUsage = 2, kInternal = 3 };

// Reads a file, or stdin for "-". nullopt when it cannot be read.
std::optional<std::string> ReadInput(const std::string& path);

// Compiles and prints every diagnostic to stderr. Returns the policy, or
// nullptr when there were errors (or warnings under `werror`).
std::shared_ptr<const Policy> CompileReporting(const std::string& path, bool werror);

int CheckCommand(int argc, char** argv);
int EvalCommand(int argc, char** argv);
int TestCommand(int argc, char** argv);

}  // namespace mixtral::cli
