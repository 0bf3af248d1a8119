// `make bench-codegen`, MQL4: the generated X_FromJson and X_ToJson of the three benchmark
// messages, compiled with g++ -O2 through the compatibility header (tests/mql4/mql4_compat.hpp,
// ../shared/MQL4.md); built and run by `cargo run -p contractc-conformance --bin mql4-bench`,
// which stages the generated files as the conformance runner does.
//
//   bench_mql4 MESSAGES_DIR
//
// Each call runs for about 0.2 s to warm up, then 5 times about 0.2 s; the best run counts.
// The figure is g++'s build of the MQL4 (its `string` is the shim's UTF-16 one), not
// MetaTrader's: no MQL4 runtime runs on Linux. It tells EA authors the order of the cost.
#include "mql4_compat.hpp"
#include <contractc/OrderIntent_1_2.mqh>
#include <contractc/Portfolio_1_0.mqh>
#include <contractc/PriceTick_1_0.mqh>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

// Seconds per call of `call`, the best of 5 runs of about 0.2 s each after a warm-up.
template <class F> static double per_call(F call) {
  using clock = std::chrono::steady_clock;
  long n = 1;
  for (;;) {
    auto start = clock::now();
    for (long i = 0; i < n; i++) call();
    double took = std::chrono::duration<double>(clock::now() - start).count();
    if (took > 0.2) {
      n = long(double(n) * 0.2 / took) + 1;
      break;
    }
    n *= 2;
  }
  double best = 1e30;
  for (int r = 0; r < 5; r++) {
    auto start = clock::now();
    for (long i = 0; i < n; i++) call();
    double took = std::chrono::duration<double>(clock::now() - start).count() / double(n);
    if (took < best) best = took;
  }
  return best;
}

static void row(const char *message, size_t bytes, const char *call, double seconds) {
  std::printf("| %s | %zu | %s | %.2f µs | %.0f | %.1f |\n", message, bytes, call, seconds * 1e6, 1 / seconds,
              double(bytes) / seconds / 1e6);
}

// Reads `dir/<key>.json` (one line), checks that X_FromJson (`name`_FromJson) takes it, then
// times it and X_ToJson.
template <class T, class From, class To>
static bool bench(const std::string &dir, const char *key, const std::string &name, From from_json, To to_json) {
  std::ifstream in(dir + "/" + key + ".json");
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  string js = mql_from_utf8(text);
  string err = "";
  T v;
  if (text.empty() || !from_json(js, v, err)) {
    std::fprintf(stderr, "%s: not read: %s\n", key, mql_to_utf8(err).c_str());
    return false;
  }
  row(key, text.size(), (name + "_FromJson").c_str(), per_call([&] {
        T out;
        string e = "";
        from_json(js, out, e);
      }));
  row(key, text.size(), (name + "_ToJson").c_str(), per_call([&] {
        string out = to_json(v);
        (void)out;
      }));
  return true;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench_mql4 MESSAGES_DIR\n");
    return 2;
  }
  std::string dir = argv[1];
  std::printf("| message | bytes | call | per message | messages/s | MB/s |\n|---|---|---|---|---|---|\n");
  bool ok =
      bench<OrderIntent_1_2>(dir, "OrderIntent@1.2", "OrderIntent_1_2", OrderIntent_1_2_FromJson,
                             OrderIntent_1_2_ToJson) &&
      bench<PriceTick_1_0>(dir, "PriceTick@1.0", "PriceTick_1_0", PriceTick_1_0_FromJson, PriceTick_1_0_ToJson) &&
      bench<Portfolio_1_0>(dir, "Portfolio@1.0", "Portfolio_1_0", Portfolio_1_0_FromJson, Portfolio_1_0_ToJson);
  return ok ? 0 : 1;
}
