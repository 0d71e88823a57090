// The vocabulary of the declarative config schema (see core/config_engine.h).
//
// Every config struct describes itself once, in a member template
//
//   template <class V> void Visit(V& v) {
//     v.Field("layer", &layer, "Number of hops.", InRange(1, 8));
//     v.Section("csv", &csv, "Column layout of CSV files.");
//     v.Rule("neighbor", "one entry per layer", [this] { return std::string(...); });
//   }
//
// and the config engine (core/config_engine.h) walks that description once (SchemaBuilder) to
// parse YAML, apply `--set` overrides, validate, dump YAML/JSON and generate docs/config.md.
// A visitor V provides:
//
//   template <class T, class... Spec> void Field(const char* key, T* member, const char* doc,
//                                               const Spec&... spec);
//     T is one of bool, int64_t, double, std::string, std::vector<int64_t>, or an enum with an
//     EnumTraits specialisation. Spec is any number of Bound (numeric range; applies to each
//     entry of a list), RelativePath (a path resolved against the config file's directory) and
//     AllMeansMinusOne (the word `all` stands for -1).
//   template <class S> void Section(const char* key, S* sub, const char* doc);
//   template <class F> void Rule(const char* key, const char* doc, F&& check);
//   void Renamed(const char* old_key, const char* new_key);
//     A key this struct no longer has: loading it is an error that names `new_key` (full
//     dotted key), so an old config fails with its fix in the message.
//     A cross-field check, run after the whole input (file and overrides) is applied. `check()`
//     returns "" when the struct is valid, else what was expected of field `key` (the error
//     message reads "key '<section.key>': expected <that>, got '<value of key>'").
//
// Nothing here depends on yaml-cpp, so config headers stay cheap to include.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>

namespace streamgnn::core {

// A numeric constraint on a field, or on each entry of a list field. Bounds are stored as
// double, which is exact for every integer bound used in practice (|x| < 2^53).
struct Bound {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;  // lo itself is excluded
  bool hi_open = false;  // hi itself is excluded
  // Why the range is what it is; printed after the range ("equal to 1 (<note>)").
  const char* note = nullptr;

  bool Contains(double x) const {
    if (x < lo || (lo_open && x == lo)) return false;
    if (x > hi || (hi_open && x == hi)) return false;
    return x == x;  // NaN is never in range
  }
  // ">= 1", "> 0", "in [1, 8]", "in [0, 1)", "equal to 1 (why)". Defined in config_engine.cc.
  std::string Describe() const;
};

inline Bound AtLeast(double lo) { return Bound{lo}; }
inline Bound GreaterThan(double lo) { return Bound{lo, Bound().hi, /*lo_open=*/true}; }
// [lo, hi]
inline Bound InRange(double lo, double hi) { return Bound{lo, hi}; }
// [lo, hi)
inline Bound InRangeOpenHigh(double lo, double hi) { return Bound{lo, hi, false, true}; }
// Exactly `value`: for fields whose other values are reserved for features not built yet.
inline Bound Exactly(double value, const char* why) {
  return Bound{value, value, false, false, why};
}

// Marks a string field as a filesystem path. A relative path read from a config file is resolved
// against that file's directory (so configs can sit next to their data); a path given with
// `--set` stays relative to the working directory, like any other command-line path.
struct RelativePath {};
inline constexpr RelativePath kRelativeToConfig{};

// Marks an integer or integer-list field whose -1 means "every one" (a batch of all training
// nodes, every neighbour): the word `all` is then accepted for -1 (`batch_size: all`).
struct AllMeansMinusOne {};
inline constexpr AllMeansMinusOne kAllIsMinusOne{};

// All constraints of one field, collected from the Spec arguments of Field().
struct FieldSpec {
  Bound bound;
  bool has_bound = false;
  bool relative_path = false;
  bool all_is_minus_one = false;
};

inline void AddToSpec(FieldSpec& spec, const Bound& b) {
  spec.bound = b;
  spec.has_bound = true;
}
inline void AddToSpec(FieldSpec& spec, RelativePath) { spec.relative_path = true; }
inline void AddToSpec(FieldSpec& spec, AllMeansMinusOne) { spec.all_is_minus_one = true; }

template <class... Spec>
FieldSpec MakeFieldSpec(const Spec&... spec) {
  FieldSpec s;
  (AddToSpec(s, spec), ...);
  return s;
}

// Enums are written as strings in YAML. An enum becomes usable as a config field by
// specialising EnumTraits next to its declaration:
//
//   template <> struct EnumTraits<Color> {
//     static constexpr EnumName<Color> kNames[] = {{Color::kRed, "red"}, {Color::kBlue, "blue"}};
//   };
template <class E>
struct EnumName {
  E value;
  const char* name;
};

template <class E>
struct EnumTraits;  // specialised per enum; see above

template <class E>
const char* EnumToString(E value) {
  for (const auto& entry : EnumTraits<E>::kNames) {
    if (entry.value == value) return entry.name;
  }
  return "<invalid>";
}

// Returns false (and leaves *out alone) when `name` is not one of the enum's names.
template <class E>
bool EnumFromString(std::string_view name, E* out) {
  for (const auto& entry : EnumTraits<E>::kNames) {
    if (name == entry.name) {
      *out = entry.value;
      return true;
    }
  }
  return false;
}

// "recent|uniform"
template <class E>
std::string EnumChoices(std::string_view separator = "|") {
  std::string out;
  for (const auto& entry : EnumTraits<E>::kNames) {
    if (!out.empty()) out += separator;
    out += entry.name;
  }
  return out;
}

}  // namespace streamgnn::core
