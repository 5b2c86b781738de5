// `fauxroot db dump|stats`: reading a db.
#pragma once

#include <string>

namespace fauxroot {

// Prints every record, one line each (db/text_format.h), in key order.
int DbDump(const std::string& db_dir);
// Prints the number of records and the schema.
int DbStats(const std::string& db_dir);

}  // namespace fauxroot
