#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include <atomic>

namespace fauxroot {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kWarning};

const char* LevelTag(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return "error: ";
    case LogLevel::kWarning:
      return "warning: ";
    case LogLevel::kInfo:
    case LogLevel::kDebug:
      return "";
  }
  return "";
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level.store(level, std::memory_order_relaxed); }
LogLevel GetLogLevel() { return g_level.load(std::memory_order_relaxed); }

bool ParseLogLevel(std::string_view text, LogLevel* level) {
  if (text == "error")
    *level = LogLevel::kError;
  else if (text == "warning")
    *level = LogLevel::kWarning;
  else if (text == "info")
    *level = LogLevel::kInfo;
  else if (text == "debug")
    *level = LogLevel::kDebug;
  else
    return false;
  return true;
}

void Log(LogLevel level, const char* format, ...) {
  if (!LogEnabled(level)) return;
  // Format into one buffer and write it with one write(2), so lines from the
  // supervisor and its children do not interleave mid-line.
  char line[2048];
  int n = snprintf(line, sizeof line, "fauxroot: %s", LevelTag(level));
  va_list args;
  va_start(args, format);
  int m = vsnprintf(line + n, sizeof line - n - 1, format, args);
  va_end(args);
  size_t len = static_cast<size_t>(n) + (m < 0 ? 0 : static_cast<size_t>(m));
  if (len > sizeof line - 2) len = sizeof line - 2;
  line[len++] = '\n';
  ssize_t ignored = write(STDERR_FILENO, line, len);
  (void)ignored;
}

}  // namespace fauxroot
