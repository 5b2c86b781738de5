// Logging to stderr with a "fauxroot: " prefix.
//
// The level is process-wide and set once at start-up (by the CLI, from -v or
// FAUXROOT_LOG) before any other thread or child exists; after that it is only
// read.
#pragma once

#include <string_view>

namespace fauxroot {

enum class LogLevel { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
inline bool LogEnabled(LogLevel level) { return level <= GetLogLevel(); }
// Parses "error|warning|info|debug"; returns false for anything else.
bool ParseLogLevel(std::string_view text, LogLevel* level);

// printf-style; one line, the newline is added.
void Log(LogLevel level, const char* format, ...) __attribute__((format(printf, 2, 3)));

}  // namespace fauxroot
