// The visitors that walk the config schema (core/config_schema.h): parse, validate, dump, docs.
#include "core/config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <type_traits>
#include <utility>

namespace streamgnn::core {

std::string Bound::Describe() const {
  const auto num = [](double x) { return fmt::format("{}", x); };
  const bool has_lo = lo > -std::numeric_limits<double>::infinity();
  const bool has_hi = hi < std::numeric_limits<double>::infinity();
  std::string out;
  if (has_lo && has_hi && lo == hi && !lo_open && !hi_open) {
    out = "equal to " + num(lo);
  } else if (has_lo && has_hi) {
    out = fmt::format("in {}{}, {}{}", lo_open ? "(" : "[", num(lo), num(hi), hi_open ? ")" : "]");
  } else if (has_lo) {
    out = (lo_open ? "> " : ">= ") + num(lo);
  } else if (has_hi) {
    out = (hi_open ? "< " : "<= ") + num(hi);
  }
  if (note != nullptr) out += fmt::format(" ({})", note);
  return out;
}

namespace {

// ---- where a value came from ----------------------------------------------------------------

struct Source {
  std::string name;  // file or source name, or "--set a.b=v" for an override
  bool is_override = false;
  std::string base_dir;  // RelativePath fields are resolved against it; "" = leave them alone
};

std::string Where(const Source& src, const YAML::Mark& mark) {
  if (src.is_override || mark.is_null()) return src.name;
  return fmt::format("{}:{}:{}", src.name, mark.line + 1, mark.column + 1);
}

// Full dotted key ("sampling.neighbor", or a section "dataset.csv") -> where its value was last
// set. Lets the cross-field rules, checked after all input is applied, point at the right line.
using LocationMap = std::map<std::string, std::string>;

std::string JoinKey(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

std::string Shorten(std::string s) {
  constexpr size_t kMax = 80;
  if (s.size() > kMax) s = s.substr(0, kMax - 3) + "...";
  return s;
}

// The node as the user wrote it, for "got '...'".
std::string NodeText(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "null";
  if (node.IsScalar()) return Shorten(node.Scalar());
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << node;
  return Shorten(out.c_str());
}

// Null nodes carry the mark of whatever follows them; the key's mark is the useful one there.
YAML::Mark ValueMark(const YAML::Node& value, const YAML::Node& key) {
  if (value.IsDefined() && !value.IsNull() && !value.Mark().is_null()) return value.Mark();
  return key.Mark();
}

Status KeyError(const std::string& where, const std::string& key, const std::string& expected,
                const std::string& got, const std::string& suffix = "") {
  return Status::InvalidArgument(
      fmt::format("{}: key '{}': expected {}, got '{}'{}", where, key, expected, got, suffix));
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// ---- values: type names, parsing, rendering -------------------------------------------------

template <class T>
constexpr bool kIsEnum = std::is_enum_v<T>;

bool ParseBoolText(const std::string& s, bool* out) {
  // YAML 1.2 core schema spellings (TGL's configs write True/False).
  if (s == "true" || s == "True" || s == "TRUE") {
    *out = true;
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    *out = false;
    return true;
  }
  return false;
}

bool ParseIntText(const std::string& s, int64_t* out) {
  if (s.empty() || s.find_first_not_of("+-0123456789") != std::string::npos) return false;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size()) return false;
  *out = v;
  return true;
}

bool ParseDoubleText(const std::string& s, double* out) {
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf" || s == "+.Inf" || s == "+.INF") {
    *out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF") {
    *out = -std::numeric_limits<double>::infinity();
    return true;
  }
  // Decimal notation only: strtod alone would also take "nan", "inf" and hex floats.
  if (s.empty() || s.find_first_not_of("+-.0123456789eE") != std::string::npos) return false;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (errno == ERANGE || end != s.c_str() + s.size()) return false;
  *out = v;
  return true;
}

// A quoted scalar ('10') is a string in YAML; it is not taken for a number or a boolean.
bool IsPlainScalar(const YAML::Node& n) { return n.IsScalar() && n.Tag() != "!"; }

// "a boolean (true/false)", "an integer", ...: what a field of type T holds.
template <class T>
std::string TypeDescription() {
  if constexpr (std::is_same_v<T, bool>) {
    return "a boolean (true/false)";
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return "an integer";
  } else if constexpr (std::is_same_v<T, double>) {
    return "a number";
  } else if constexpr (std::is_same_v<T, std::string>) {
    return "a string";
  } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
    return "a list of integers";
  } else {
    static_assert(kIsEnum<T>, "unsupported config field type");
    return "one of " + EnumChoices<T>();
  }
}

// Short type name for the docs table.
template <class T>
std::string TypeName() {
  if constexpr (std::is_same_v<T, bool>) {
    return "bool";
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return "int";
  } else if constexpr (std::is_same_v<T, double>) {
    return "double";
  } else if constexpr (std::is_same_v<T, std::string>) {
    return "string";
  } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
    return "list of int";
  } else {
    return "enum";
  }
}

// Full expectation including the range: "an integer in [1, 8]", "a list of integers, each >= 1".
template <class T>
std::string Expectation(const FieldSpec& spec) {
  std::string out = TypeDescription<T>();
  if (spec.has_bound) {
    out += std::is_same_v<T, std::vector<int64_t>> ? ", each " : " ";
    out += spec.bound.Describe();
  }
  return out;
}

std::string FormatDouble(double x) {
  if (std::isinf(x)) return x > 0 ? ".inf" : "-.inf";
  return fmt::format("{}", x);
}

// Double-quoted with escapes valid in both YAML and JSON.
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// The value as YAML (json = false) or JSON (json = true) text.
template <class T>
std::string Render(const T& value, bool json = false) {
  if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return std::to_string(value);
  } else if constexpr (std::is_same_v<T, double>) {
    if (json && !std::isfinite(value)) return Quote(FormatDouble(value));
    return FormatDouble(value);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return Quote(value);
  } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
    std::vector<std::string> items;
    for (const int64_t x : value) items.push_back(std::to_string(x));
    return "[" + Join(items, ", ") + "]";
  } else {
    return json ? Quote(EnumToString(value)) : std::string(EnumToString(value));
  }
}

// The value as a message shows it after "got": strings without quotes.
template <class T>
std::string Display(const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    return Shorten(value);
  } else {
    return Render(value);
  }
}

// Why a value was refused.
struct ParseFailure {
  std::string expected;
  int element = -1;    // for lists: the offending entry, else -1
  std::string suffix;  // appended after "got '...'"
};

bool InBound(double x, const FieldSpec& spec) { return !spec.has_bound || spec.bound.Contains(x); }

// Parses one scalar of a scalar type T (not a list) and checks its range.
template <class T>
bool ParseScalar(const YAML::Node& n, const FieldSpec& spec, T* out, ParseFailure* failure) {
  failure->expected = Expectation<T>(spec);
  if (!n.IsScalar()) return false;
  if constexpr (std::is_same_v<T, std::string>) {
    *out = n.Scalar();
    return true;
  } else if constexpr (kIsEnum<T>) {
    return EnumFromString(n.Scalar(), out);  // quoted names are fine: TGL writes 'recent'
  } else {
    if (!IsPlainScalar(n)) {
      failure->suffix = " (a quoted string)";
      return false;
    }
    bool parsed = false;
    if constexpr (std::is_same_v<T, bool>) {
      parsed = ParseBoolText(n.Scalar(), out);
    } else if constexpr (std::is_same_v<T, int64_t>) {
      parsed = ParseIntText(n.Scalar(), out);
    } else {
      parsed = ParseDoubleText(n.Scalar(), out);
    }
    if (!parsed) return false;
    if constexpr (!std::is_same_v<T, bool>) {
      if (!InBound(static_cast<double>(*out), spec)) return false;
    }
    return true;
  }
}

template <class T>
bool ParseValue(const YAML::Node& n, const FieldSpec& spec, T* out, ParseFailure* failure) {
  if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
    failure->expected = Expectation<T>(spec);
    if (!n.IsSequence()) return false;
    std::vector<int64_t> values;
    for (size_t i = 0; i < n.size(); ++i) {
      int64_t x = 0;
      if (!ParseScalar<int64_t>(n[i], spec, &x, failure)) {
        failure->element = static_cast<int>(i);
        return false;
      }
      values.push_back(x);
    }
    *out = std::move(values);
    return true;
  } else {
    return ParseScalar<T>(n, spec, out, failure);
  }
}

// For in-memory configs (ValidateConfig): the same range checks without a YAML node.
template <class T>
bool CheckValue(const T& value, const FieldSpec& spec, ParseFailure* failure) {
  failure->expected = Expectation<T>(spec);
  if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, double>) {
    return InBound(static_cast<double>(value), spec);
  } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
    for (size_t i = 0; i < value.size(); ++i) {
      if (!InBound(static_cast<double>(value[i]), spec)) {
        failure->expected = Expectation<int64_t>(spec);
        failure->element = static_cast<int>(i);
        return false;
      }
    }
    return true;
  } else if constexpr (kIsEnum<T>) {
    return std::string_view(EnumToString(value)) != "<invalid>";
  } else {
    return true;
  }
}

// ---- parsing --------------------------------------------------------------------------------

struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

// Lists the keys a struct declares.
class KeyCollector {
 public:
  template <class T, class... Spec>
  void Field(const char* key, T*, const char*, const Spec&...) {
    keys.emplace_back(key);
  }
  template <class S>
  void Section(const char* key, S*, const char*) {
    keys.emplace_back(key);
  }
  template <class F>
  void Rule(const char*, const char*, F&&) {}

  std::vector<std::string> keys;
};

template <class S>
Status ParseSection(const Source& src, const YAML::Node& map, const std::string& prefix, S* s,
                    LocationMap* locations);

// Accepts a map, null (an empty section) or TGL's one-element list holding a map.
Status UnwrapSection(const Source& src, const Entry& entry, const std::string& full_key,
                     YAML::Node* body) {
  const YAML::Node& v = entry.value;
  if (!v.IsDefined() || v.IsNull()) {
    *body = YAML::Node(YAML::NodeType::Map);
    return Status::Ok();
  }
  if (v.IsMap()) {
    *body = v;
    return Status::Ok();
  }
  if (v.IsSequence() && v.size() == 1 && (v[0].IsMap() || v[0].IsNull())) {
    *body = v[0].IsMap() ? v[0] : YAML::Node(YAML::NodeType::Map);
    return Status::Ok();
  }
  return KeyError(Where(src, ValueMark(v, entry.key_node)), full_key,
                  "a section: a map of keys, or a one-element list holding one (TGL style)",
                  NodeText(v));
}

template <class T>
Status ParseField(const Source& src, const Entry& entry, const std::string& full_key,
                  const FieldSpec& spec, T* member, LocationMap* locations) {
  T value{};
  ParseFailure failure;
  if (!ParseValue(entry.value, spec, &value, &failure)) {
    YAML::Node bad = entry.value;
    std::string key = full_key;
    if (failure.element >= 0) {
      bad = entry.value[failure.element];
      key += fmt::format("[{}]", failure.element);
    }
    return KeyError(Where(src, ValueMark(bad, entry.key_node)), key, failure.expected,
                    NodeText(bad), failure.suffix);
  }
  if constexpr (std::is_same_v<T, std::string>) {
    if (spec.relative_path && !src.base_dir.empty() && !value.empty()) {
      const std::filesystem::path p(value);
      if (p.is_relative()) value = (src.base_dir / p).lexically_normal().string();
    }
  }
  *member = std::move(value);
  (*locations)[full_key] = Where(src, ValueMark(entry.value, entry.key_node));
  return Status::Ok();
}

// Moves the entries of one YAML map into the fields of one struct.
class ParseVisitor {
 public:
  ParseVisitor(const Source& src, const std::vector<Entry>* entries, std::string prefix,
               LocationMap* locations)
      : src_(src), entries_(entries), prefix_(std::move(prefix)), locations_(locations) {}

  template <class T, class... Spec>
  void Field(const char* key, T* member, const char*, const Spec&... spec) {
    const Entry* entry = Find(key);
    if (entry == nullptr || !status_.ok()) return;
    status_ =
        ParseField(src_, *entry, JoinKey(prefix_, key), MakeFieldSpec(spec...), member, locations_);
  }

  template <class S>
  void Section(const char* key, S* sub, const char*) {
    const Entry* entry = Find(key);
    if (entry == nullptr || !status_.ok()) return;
    const std::string full_key = JoinKey(prefix_, key);
    YAML::Node body;
    status_ = UnwrapSection(src_, *entry, full_key, &body);
    if (!status_.ok()) return;
    (*locations_)[full_key] = Where(src_, entry->key_node.Mark());
    status_ = ParseSection(src_, body, full_key, sub, locations_);
  }

  template <class F>
  void Rule(const char*, const char*, F&&) {}  // checked once all input is applied

  const Status& status() const { return status_; }

 private:
  const Entry* Find(std::string_view key) const {
    for (const Entry& e : *entries_) {
      if (e.key == key) return &e;
    }
    return nullptr;
  }

  const Source& src_;
  const std::vector<Entry>* entries_;
  std::string prefix_;
  LocationMap* locations_;
  Status status_;
};

template <class S>
Status ParseSection(const Source& src, const YAML::Node& map, const std::string& prefix, S* s,
                    LocationMap* locations) {
  std::vector<Entry> entries;
  for (const auto& item : map) {  // item: a (key, value) pair of nodes
    const YAML::Node& key = item.first;
    if (!key.IsScalar()) {
      return KeyError(Where(src, key.Mark()), prefix.empty() ? "<top level>" : prefix, "a key name",
                      NodeText(key));
    }
    for (const Entry& e : entries) {
      if (e.key == key.Scalar()) {
        return KeyError(Where(src, key.Mark()), JoinKey(prefix, e.key), "each key at most once",
                        e.key, fmt::format(" again (first at {})", Where(src, e.key_node.Mark())));
      }
    }
    entries.push_back({key.Scalar(), key, item.second});
  }

  KeyCollector known;
  s->Visit(known);
  for (const Entry& e : entries) {
    if (std::find(known.keys.begin(), known.keys.end(), e.key) != known.keys.end()) continue;
    std::string expected = prefix.empty() ? "a section name (one of " + Join(known.keys, ", ") + ")"
                                          : fmt::format("a key of section '{}' (one of {})", prefix,
                                                        Join(known.keys, ", "));
    std::string suffix;
    size_t best = 3;  // suggest only close matches
    for (const std::string& k : known.keys) {
      const size_t d = EditDistance(e.key, k);
      if (d < best && d < std::max<size_t>(k.size() / 2, 1)) {
        best = d;
        suffix = fmt::format(" (did you mean '{}'?)", k);
      }
    }
    return KeyError(Where(src, e.key_node.Mark()), JoinKey(prefix, e.key), expected, e.key, suffix);
  }

  ParseVisitor visitor(src, &entries, prefix, locations);
  s->Visit(visitor);
  return visitor.status();
}

Status ParseDocument(const std::string& text, const Source& src, Config* config,
                     LocationMap* locations) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("{}: YAML syntax error: {}", Where(src, e.mark), e.msg));
  }
  if (!root.IsDefined() || root.IsNull()) return Status::Ok();  // empty file: all defaults
  if (!root.IsMap()) {
    return Status::InvalidArgument(
        fmt::format("{}: expected a map of sections at the top level, got '{}'",
                    Where(src, root.Mark()), NodeText(root)));
  }
  try {
    return ParseSection(src, root, "", config, locations);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(fmt::format("{}: {}", Where(src, e.mark), e.msg));
  }
}

std::string Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  const size_t end = s.find_last_not_of(" \t");
  return std::string(s.substr(begin, end - begin + 1));
}

Status ApplyOverrideImpl(const std::string& assignment, Config* config, LocationMap* locations) {
  const Source src{"--set " + assignment, /*is_override=*/true, ""};
  const size_t eq = assignment.find('=');
  const std::string key = Trim(assignment.substr(0, eq == std::string::npos ? 0 : eq));
  std::vector<std::string> segments;
  if (!key.empty()) {
    std::stringstream in(key);
    for (std::string segment; std::getline(in, segment, '.');) segments.push_back(segment);
    if (key.back() == '.') segments.emplace_back();
  }
  const bool well_formed =
      eq != std::string::npos && !segments.empty() &&
      std::none_of(segments.begin(), segments.end(), [](const auto& s) { return s.empty(); });
  if (!well_formed) {
    return Status::InvalidArgument(
        fmt::format("{}: expected 'section.key=value' (the value in YAML, e.g. --set "
                    "sampling.neighbor=[10,10]), "
                    "got '{}'",
                    src.name, assignment));
  }
  const std::string text = assignment.substr(eq + 1);
  YAML::Node node;
  if (Trim(text).empty()) {
    node = YAML::Node(std::string());
  } else {
    try {
      node = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      return KeyError(src.name, key, "a YAML value", text, fmt::format(" ({})", e.msg));
    }
  }
  // {a: {b: value}}, parsed by the same code as a file.
  for (size_t i = segments.size(); i-- > 0;) {
    YAML::Node map(YAML::NodeType::Map);
    map[segments[i]] = node;
    node.reset(map);
  }
  try {
    return ParseSection(src, node, "", config, locations);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(fmt::format("{}: {}", src.name, e.msg));
  }
}

// ---- validation -----------------------------------------------------------------------------

// Checks field ranges (for configs edited in code) and the cross-field rules.
class ValidateVisitor {
 public:
  ValidateVisitor(std::string prefix, const LocationMap* locations, const std::string* fallback)
      : prefix_(std::move(prefix)), locations_(locations), fallback_(fallback) {}

  template <class T, class... Spec>
  void Field(const char* key, T* member, const char*, const Spec&... spec) {
    values_[key] = Display(*member);
    if (!status_.ok()) return;
    ParseFailure failure;
    if (CheckValue(*member, MakeFieldSpec(spec...), &failure)) return;
    std::string full_key = JoinKey(prefix_, key);
    std::string got = values_[key];
    if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
      got = std::to_string((*member)[failure.element]);
      full_key += fmt::format("[{}]", failure.element);
    }
    status_ = KeyError(LocationOf(JoinKey(prefix_, key)), full_key, failure.expected, got);
  }

  template <class S>
  void Section(const char* key, S* sub, const char*) {
    ValidateVisitor visitor(JoinKey(prefix_, key), locations_, fallback_);
    if (status_.ok()) {
      sub->Visit(visitor);
      status_ = visitor.status();
    } else {
      sub->Visit(visitor);  // still records the values for rules of enclosing sections
    }
    // Rules of an enclosing struct may name nested keys ("gnn.layer").
    for (const auto& [sub_key, value] : visitor.values_) values_[std::string(key) + "." + sub_key] = value;
  }

  template <class F>
  void Rule(const char* key, const char*, F&& check) {
    if (!status_.ok()) return;
    const std::string expected = check();
    if (expected.empty()) return;
    const std::string full_key = JoinKey(prefix_, key);
    status_ = KeyError(LocationOf(full_key), full_key, expected, values_[key]);
  }

  const Status& status() const { return status_; }

 private:
  // Where the key was set; else where its closest enclosing section was; else the file.
  std::string LocationOf(std::string key) const {
    while (true) {
      if (auto it = locations_->find(key); it != locations_->end()) return it->second;
      const size_t dot = key.rfind('.');
      if (dot == std::string::npos) return *fallback_;
      key.resize(dot);
    }
  }

  std::string prefix_;
  const LocationMap* locations_;
  const std::string* fallback_;
  std::map<std::string, std::string> values_;  // key -> displayed value, for rule messages
  Status status_;
};

Status ValidateImpl(const Config& config, const LocationMap& locations,
                    const std::string& fallback) {
  Config copy = config;  // Visit takes members by pointer
  ValidateVisitor visitor("", &locations, &fallback);
  copy.Visit(visitor);
  return visitor.status();
}

StatusOr<Config> LoadImpl(const std::string& text, const Source& src,
                          const std::vector<std::string>& overrides) {
  Config config;
  LocationMap locations;
  SG_RETURN_IF_ERROR(ParseDocument(text, src, &config, &locations));
  for (const std::string& assignment : overrides) {
    SG_RETURN_IF_ERROR(ApplyOverrideImpl(assignment, &config, &locations));
  }
  SG_RETURN_IF_ERROR(ValidateImpl(config, locations, src.name));
  return config;
}

// ---- dumps ----------------------------------------------------------------------------------

class YamlDumpVisitor {
 public:
  YamlDumpVisitor(std::string* out, int indent) : out_(out), indent_(indent) {}

  template <class T, class... Spec>
  void Field(const char* key, T* member, const char*, const Spec&...) {
    *out_ += fmt::format("{:{}}{}: {}\n", "", indent_, key, Render(*member));
  }
  template <class S>
  void Section(const char* key, S* sub, const char*) {
    *out_ += fmt::format("{:{}}{}:\n", "", indent_, key);
    YamlDumpVisitor visitor(out_, indent_ + 2);
    sub->Visit(visitor);
  }
  template <class F>
  void Rule(const char*, const char*, F&&) {}

 private:
  std::string* out_;
  int indent_;
};

class JsonDumpVisitor {
 public:
  explicit JsonDumpVisitor(std::string* out) : out_(out) {}

  template <class T, class... Spec>
  void Field(const char* key, T* member, const char*, const Spec&...) {
    Key(key);
    *out_ += Render(*member, /*json=*/true);
  }
  template <class S>
  void Section(const char* key, S* sub, const char*) {
    Key(key);
    *out_ += "{";
    JsonDumpVisitor visitor(out_);
    sub->Visit(visitor);
    *out_ += "}";
  }
  template <class F>
  void Rule(const char*, const char*, F&&) {}

 private:
  void Key(const char* key) {
    if (!first_) *out_ += ", ";
    first_ = false;
    *out_ += Quote(key) + ": ";
  }

  std::string* out_;
  bool first_ = true;
};

// ---- reference docs -------------------------------------------------------------------------

constexpr const char* kDocsPreamble = R"(# Configuration reference

<!-- Generated from the schema in core/config.h by streamgnn::core::ConfigReferenceMarkdown().
     Do not edit by hand; regenerate with
     STREAMGNN_UPDATE_DOCS=1 build/bin/core_test --gtest_filter='ConfigDocs.*' -->

A run is described by one YAML file with the sections below. Every key is optional and takes the
default shown when it is missing. Loading is strict: an unknown section or key, a value of the
wrong type, an out-of-range value or a broken rule stops the run before any work starts, with
the file, line, column and key:

    run.yml:2:10: key 'sampling.layer': expected an integer in [1, 8], got '9'

A section is a map of keys or, as in TGL's configs, a one-element list holding that map:

```yaml
sampling:
  layer: 1
  neighbor: [10]
```

is the same as

```yaml
sampling:
  - layer: 1
    neighbor:
      - 10
```

Any key can be overridden from the command line with `--set section.key=value`. The value is
YAML and is checked like the file: `--set sampling.neighbor=[10,10]`,
`--set dataset.csv.header=false`, `--set train.lr=1e-3`.
)";

std::string EscapeCell(std::string s) {
  std::string out;
  for (const char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

class DocsVisitor {
 public:
  DocsVisitor(std::string prefix, int depth) : prefix_(std::move(prefix)), depth_(depth) {}

  template <class T, class... Spec>
  void Field(const char* key, T* member, const char* doc, const Spec&... spec) {
    const FieldSpec s = MakeFieldSpec(spec...);
    std::string allowed;
    if constexpr (kIsEnum<T>) {
      allowed = "`" + EnumChoices<T>("`, `") + "`";
    } else if (s.has_bound) {
      allowed = std::is_same_v<T, std::vector<int64_t>> ? "each " + s.bound.Describe()
                                                        : s.bound.Describe();
    }
    rows_ += fmt::format("| `{}` | {} | `{}` | {} | {} |\n", key, TypeName<T>(), Render(*member),
                         EscapeCell(allowed), EscapeCell(doc));
  }

  template <class S>
  void Section(const char* key, S* sub, const char* doc) {
    const std::string full_key = JoinKey(prefix_, key);
    DocsVisitor visitor(full_key, depth_ + 1);
    sub->Visit(visitor);
    subsections_ += fmt::format("\n{} `{}`\n\n{}\n", std::string(depth_ + 2, '#'), full_key, doc);
    subsections_ += visitor.Body();
  }

  template <class F>
  void Rule(const char* key, const char* doc, F&&) {
    rules_ += fmt::format("- `{}` {}.\n", key, doc);
  }

  std::string Body() const {
    std::string out;
    if (!rows_.empty()) {
      out += "\n| key | type | default | allowed | description |\n";
      out += "|---|---|---|---|---|\n";
      out += rows_;
    }
    if (!rules_.empty()) out += "\nChecked together with other keys:\n\n" + rules_;
    return out + subsections_;
  }

 private:
  std::string prefix_;
  int depth_;
  std::string rows_;
  std::string rules_;
  std::string subsections_;
};

}  // namespace

StatusOr<Config> LoadConfigFile(const std::string& path,
                                const std::vector<std::string>& overrides) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Status::NotFound(fmt::format("{}: config file not found", path));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return Status::IOError(fmt::format("{}: cannot read", path));
  if (!in.is_open()) return Status::IOError(fmt::format("{}: cannot open", path));
  const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec) return Status::IOError(fmt::format("{}: {}", path, ec.message()));
  const Source src{path, false, absolute.parent_path().string()};
  return LoadImpl(text.str(), src, overrides);
}

StatusOr<Config> LoadConfigString(const std::string& yaml_text, const std::string& source_name,
                                  const std::vector<std::string>& overrides) {
  return LoadImpl(yaml_text, Source{source_name, false, ""}, overrides);
}

Status ApplyOverride(const std::string& assignment, Config* config) {
  LocationMap locations;
  Config edited = *config;  // all or nothing
  SG_RETURN_IF_ERROR(ApplyOverrideImpl(assignment, &edited, &locations));
  *config = std::move(edited);
  return Status::Ok();
}

std::string KeyLocation(const std::string& path, const std::string& dotted_key) {
  try {
    YAML::Node node = YAML::LoadFile(path);
    std::string rest = dotted_key;
    while (true) {
      if (node.IsSequence() && node.size() == 1) node.reset(node[0]);  // TGL's one-element lists
      if (!node.IsMap()) return path;
      const size_t dot = rest.find('.');
      const std::string key = rest.substr(0, dot);
      YAML::Node key_node, value;
      for (const auto& entry : node) {
        if (entry.first.Scalar() == key) {
          key_node.reset(entry.first);
          value.reset(entry.second);
        }
      }
      if (!key_node.IsDefined()) return path;
      if (dot == std::string::npos) return Where(Source{path, false, ""}, ValueMark(value, key_node));
      node.reset(value);
      rest = rest.substr(dot + 1);
    }
  } catch (const std::exception&) {
    return path;
  }
}

Status ValidateConfig(const Config& config) {
  return ValidateImpl(config, LocationMap(), "config");
}

std::string ConfigToYaml(const Config& config) {
  Config copy = config;
  std::string out;
  YamlDumpVisitor visitor(&out, 0);
  copy.Visit(visitor);
  return out;
}

std::string ConfigToJson(const Config& config) {
  Config copy = config;
  std::string out = "{";
  JsonDumpVisitor visitor(&out);
  copy.Visit(visitor);
  return out + "}";
}

std::string ConfigReferenceMarkdown() {
  Config defaults;
  DocsVisitor visitor("", 0);
  defaults.Visit(visitor);
  return kDocsPreamble + visitor.Body();
}

}  // namespace streamgnn::core
