// A small argument reader for the CLI's subcommands. Flags are declared up
// front so that an unknown flag or a missing value is a usage error (exit 2).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mixtral::cli {

class Args {
 public:
  // `with_value`: flags that take a value (--policy FILE); `switches`: flags that don't.
  Args(std::set<std::string> with_value, std::set<std::string> switches)
      : with_value_(std::move(with_value)), switches_(std::move(switches)) {}

  // Returns an error message, or nullopt.
  std::optional<std::string> Parse(int argc, char** argv, int first);

  std::optional<std::string> Get(const std::string& flag) const;
  bool Has(const std::string& flag) const { return seen_.count(flag) > 0; }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::set<std::string> with_value_;
  std::set<std::string> switches_;
  std::map<std::string, std::string> values_;
  std::set<std::string> seen_;
  std::vector<std::string> positional_;
};

}  // namespace mixtral::cli
