// SHA-256 (FIPS 180-4) for test digests; small and dependency-free.
#pragma once

#include <string>

namespace convo::test {
std::string sha256_hex(const std::string& data);
}
