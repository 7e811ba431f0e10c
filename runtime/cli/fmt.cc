// `mixtral fmt FILE | -i FILE... | --check FILE...`: print, rewrite or check
// the canonical layout of policies (compiler/src/format/print.h lists the
// rules). stdout carries only the formatted text; diagnostics and the names
// of files that would change go to stderr.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <vector>

#include "args.h"
#include "common.h"
#include "mixtral/compiler/format.h"

namespace mixtral::cli {
namespace {

constexpr const char* kUsageText =
    "usage: mixtral fmt FILE            print FILE formatted (`-` reads stdin)\n"
    "       mixtral fmt -i FILE...      rewrite each FILE in place\n"
    "       mixtral fmt --check FILE... exit 1 if any FILE is not formatted\n";

int Usage(const std::string& why) {
  std::cerr << "mixtral fmt: " << why << "\n" << kUsageText;
  return kUsage;
}

// Writes `text` to a temporary file beside `path` and renames it over `path`,
// so that a reader never sees half a file. A symbolic link stays a link: the
// file it points to is replaced.
bool ReplaceFile(const std::string& path, const std::string& text, std::string* error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path target = fs::canonical(path, ec);
  if (ec) target = path;
  std::string name = target.string() + ".fmt-XXXXXX";
  std::vector<char> tmp(name.begin(), name.end());
  tmp.push_back('\0');
  int fd = mkstemp(tmp.data());
  if (fd < 0) {
    *error = std::string("cannot create a temporary file: ") + std::strerror(errno);
    return false;
  }
  struct stat st;
  if (stat(target.c_str(), &st) == 0) (void)fchmod(fd, st.st_mode & 07777);
  int err = 0;
  for (size_t done = 0; err == 0 && done < text.size();) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n == 0) {
      err = EIO;
    } else if (errno != EINTR) {
      err = errno;
    }
  }
  if (err == 0 && fsync(fd) != 0) err = errno;
  if (close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && std::rename(tmp.data(), target.c_str()) != 0) err = errno;
  if (err != 0) {
    *error = std::string("cannot write: ") + std::strerror(err);
    unlink(tmp.data());
    return false;
  }
  return true;
}

enum class Mode { kPrint, kInPlace, kCheck };

// Formats one file; returns its exit status.
int FormatOne(const std::string& path, Mode mode) {
  std::optional<std::string> text = ReadInput(path, kMaxPolicyBytes);
  if (!text) {
    std::cerr << "mixtral fmt: cannot read `" << path << "`\n";
    return kUserError;
  }
  FormatResult r = FormatSource(path == "-" ? "<stdin>" : path, *text);
  for (const Diagnostic& d : r.diagnostics.Sorted()) std::cerr << RenderDiagnostic(d, r.sources);
  if (r.internal_error) return kInternal;
  if (!r.text) return kUserError;
  switch (mode) {
    case Mode::kPrint:
      std::cout << *r.text;
      std::cout.flush();
      return std::cout ? kOk : kUserError;
    case Mode::kCheck:
      if (*r.text == *text) return kOk;
      std::cerr << path << ": not formatted\n";
      return kUserError;
    case Mode::kInPlace: {
      if (*r.text == *text) return kOk;  // already canonical: leave the file alone
      std::string error;
      if (!ReplaceFile(path, *r.text, &error)) {
        std::cerr << "mixtral fmt: `" << path << "`: " << error << "\n";
        return kUserError;
      }
      return kOk;
    }
  }
  return kInternal;
}

}  // namespace

int FmtCommand(int argc, char** argv) {
  // `-i` is the one short flag; Args reads only long ones.
  bool in_place = false;
  std::vector<char*> rest{argv, argv + 2};
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-i") {
      in_place = true;
    } else if (a.size() > 1 && a[0] == '-' && a[1] != '-') {
      return Usage("unknown flag " + a);
    } else {
      rest.push_back(argv[i]);
    }
  }
  Args args({}, {"--check"});
  if (auto err = args.Parse(static_cast<int>(rest.size()), rest.data(), 2)) return Usage(*err);
  const std::vector<std::string>& files = args.positional();
  bool check = args.Has("--check");
  if (in_place && check) return Usage("-i and --check exclude each other");
  if (files.empty()) return Usage("no file given");
  Mode mode = in_place ? Mode::kInPlace : check ? Mode::kCheck : Mode::kPrint;
  if (mode == Mode::kPrint && files.size() > 1)
    return Usage("one file at a time without -i or --check");
  if (mode == Mode::kInPlace)
    for (const std::string& f : files)
      if (f == "-") return Usage("-i cannot rewrite stdin");
  int status = kOk;
  for (const std::string& f : files) status = std::max(status, FormatOne(f, mode));
  return status;
}

}  // namespace mixtral::cli
