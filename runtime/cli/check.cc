// `mixtral check FILE... [--werror]`: compile, report, exit 0 or 1.
#include <iostream>

#include "args.h"
#include "common.h"

namespace mixtral::cli {

int CheckCommand(int argc, char** argv) {
  Args args({}, {"--werror"});
  if (auto err = args.Parse(argc, argv, 2)) {
    std::cerr << "mixtral check: " << *err << "\nusage: mixtral check FILE... [--werror]\n";
    return kUsage;
  }
  if (args.positional().empty()) {
    std::cerr << "usage: mixtral check FILE... [--werror]\n";
    return kUsage;
  }
  int failed = 0;
  for (const std::string& path : args.positional())
    if (!CompileReporting(path, args.Has("--werror"))) ++failed;
  std::cerr << "checked " << args.positional().size() << " file"
            << (args.positional().size() == 1 ? "" : "s") << ": " << failed << " failed\n";
  return failed ? kUserError : kOk;
}

}  // namespace mixtral::cli
