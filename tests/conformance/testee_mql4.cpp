// The conformance testee of the generated MQL4, compiled with g++ through the compatibility
// header (tests/mql4/mql4_compat.hpp, MQL4.md). The runner writes `dispatch.inc` beside it: the
// includes of every generated .mqh and `ctc_dispatch`, one branch per contract:
//   bool ctc_dispatch(const std::string &key, const string &js, string &out, string &err, bool &known)
// Protocol: tests/conformance/src/lib.rs.
#include "mql4_compat.hpp"
#include "dispatch.inc"

#include <cstdint>
#include <iostream>

static bool read_frame(std::string &payload) {
  unsigned char len[4];
  if (!std::cin.read(reinterpret_cast<char *>(len), 4)) return false;
  uint32_t n = uint32_t(len[0]) | uint32_t(len[1]) << 8 | uint32_t(len[2]) << 16 | uint32_t(len[3]) << 24;
  payload.assign(n, '\0');
  return n == 0 || bool(std::cin.read(&payload[0], n));
}

static void write_frame(const std::string &payload) {
  uint32_t n = uint32_t(payload.size());
  unsigned char len[4] = {uint8_t(n), uint8_t(n >> 8), uint8_t(n >> 16), uint8_t(n >> 24)};
  std::cout.write(reinterpret_cast<const char *>(len), 4);
  std::cout.write(payload.data(), std::streamsize(payload.size()));
}

int main() {
  std::ios::sync_with_stdio(false);
  std::string payload;
  while (read_frame(payload)) {
    size_t nl = payload.find('\n');
    if (nl == std::string::npos) return 2;
    std::string key = payload.substr(0, nl);
    string js = mql_from_utf8(payload.substr(nl + 1));
    string out = "";
    string err = "";
    bool known = false;
    bool ok = ctc_dispatch(key, js, out, err, known);
    if (!known) write_frame("unknown\n");
    else if (ok) write_frame("accept\n" + mql_to_utf8(out));
    else write_frame("reject\n" + mql_to_utf8(err));
  }
  std::cout.flush();
  return 0;
}
