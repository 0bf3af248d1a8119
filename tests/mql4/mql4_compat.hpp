// MQL4 compatibility header: lets the generated MQL4 subset (contractc's MQL4.md) compile and run
// under g++ on Linux. Test tooling only; it mirrors documented MQL4 behaviour:
// - `string` holds UTF-16 code units (MQL4 reference, "String Type");
// - StringLen counts UTF-16 units; StringGetCharacter returns 0 out of range;
// - StringSubstr(s, start, length) with length <= 0 returns the REST of the string
//   (the reason generated code slices only through CtcSlice);
// - dynamic arrays are `mql_array<T>` after the mechanical rewrite (`T name[];`), and indexing
//   outside ArraySize stops the program, like an MQL4 "array out of range" critical error.
#ifndef CONTRACTC_MQL4_COMPAT_HPP
#define CONTRACTC_MQL4_COMPAT_HPP

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <deque>
#include <vector>

typedef unsigned short ushort;

class string {
 public:
  std::u16string s;
  string() {}
  string(const char *ascii) {
    for (const char *p = ascii; *p; ++p) s.push_back(static_cast<unsigned char>(*p));
  }
  explicit string(const std::u16string &u) : s(u) {}
  bool operator==(const string &o) const { return s == o.s; }
  bool operator!=(const string &o) const { return s != o.s; }
  string operator+(const string &o) const { return string(s + o.s); }
  friend string operator+(const char *a, const string &b) { return string(a) + b; }
};

inline int StringLen(const string &s) { return static_cast<int>(s.s.size()); }

inline ushort StringGetCharacter(const string &s, int pos) {
  if (pos < 0 || pos >= StringLen(s)) return 0;
  return s.s[static_cast<size_t>(pos)];
}

inline string StringSubstr(const string &s, int start, int length = -1) {
  if (start < 0 || start >= StringLen(s)) return string();
  if (length <= 0) return string(s.s.substr(static_cast<size_t>(start)));
  return string(s.s.substr(static_cast<size_t>(start), static_cast<size_t>(length)));
}

inline int StringFind(const string &s, const string &match, int start = 0) {
  if (start < 0) start = 0;
  size_t at = s.s.find(match.s, static_cast<size_t>(start));
  return at == std::u16string::npos ? -1 : static_cast<int>(at);
}

inline bool StringAdd(string &s, const string &add) {
  s.s += add.s;
  return true;
}

inline string ShortToString(ushort c) { return string(std::u16string(1, static_cast<char16_t>(c))); }

inline std::string mql_ascii(const string &s) {
  std::string out;
  for (char16_t c : s.s) out.push_back(c < 128 ? static_cast<char>(c) : '?');
  return out;
}

inline double StringToDouble(const string &s) { return std::strtod(mql_ascii(s).c_str(), nullptr); }

inline long StringToInteger(const string &s) { return std::strtol(mql_ascii(s).c_str(), nullptr, 10); }

inline string IntegerToString(long v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld", v);
  return string(buf);
}

template <typename... A>
string StringFormat(const string &fmt, A... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, mql_ascii(fmt).c_str(), args...);
  return string(buf);
}

inline bool MathIsValidNumber(double v) { return std::isfinite(v); }
inline double MathAbs(double v) { return std::fabs(v); }

// A deque, not a vector: `std::vector<bool>` hands out proxies, not `bool &`.
template <typename T>
class mql_array {
 public:
  std::deque<T> v;
  T &operator[](int i) {
    if (i < 0 || i >= static_cast<int>(v.size())) {
      std::fprintf(stderr, "array out of range\n");
      std::abort();
    }
    return v[static_cast<size_t>(i)];
  }
  const T &operator[](int i) const {
    if (i < 0 || i >= static_cast<int>(v.size())) {
      std::fprintf(stderr, "array out of range\n");
      std::abort();
    }
    return v[static_cast<size_t>(i)];
  }
};

template <typename T>
int ArraySize(const mql_array<T> &a) { return static_cast<int>(a.v.size()); }

template <typename T>
int ArrayResize(mql_array<T> &a, int n, int reserve = 0) {
  (void)reserve;
  a.v.resize(static_cast<size_t>(n));
  return n;
}

template <typename T>
void ArrayFree(mql_array<T> &a) { a.v.clear(); }

// UTF-8 <-> MQL4 string, as CharArrayToString / StringToCharArray with CP_UTF8 do.
inline string mql_from_utf8(const std::string &in) {
  std::u16string out;
  size_t i = 0;
  while (i < in.size()) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    unsigned cp = 0;
    int extra = 0;
    if (c < 0x80) { cp = c; }
    else if ((c >> 5) == 6) { cp = c & 0x1f; extra = 1; }
    else if ((c >> 4) == 14) { cp = c & 0x0f; extra = 2; }
    else { cp = c & 0x07; extra = 3; }
    for (int k = 0; k < extra && i + 1 < in.size(); ++k) { ++i; cp = (cp << 6) | (static_cast<unsigned char>(in[i]) & 0x3f); }
    ++i;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3ff)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return string(out);
}

inline std::string mql_to_utf8(const string &s) {
  std::string out;
  for (size_t i = 0; i < s.s.size(); ++i) {
    unsigned cp = s.s[i];
    if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < s.s.size()) { cp = 0x10000 + ((cp - 0xD800) << 10) + (s.s[++i] - 0xDC00); }
    if (cp < 0x80) out.push_back(static_cast<char>(cp));
    else if (cp < 0x800) { out.push_back(static_cast<char>(0xC0 | (cp >> 6))); out.push_back(static_cast<char>(0x80 | (cp & 0x3f))); }
    else if (cp < 0x10000) { out.push_back(static_cast<char>(0xE0 | (cp >> 12))); out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f))); out.push_back(static_cast<char>(0x80 | (cp & 0x3f))); }
    else { out.push_back(static_cast<char>(0xF0 | (cp >> 18))); out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f))); out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f))); out.push_back(static_cast<char>(0x80 | (cp & 0x3f))); }
  }
  return out;
}

#endif
