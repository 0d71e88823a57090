// The config engine over a SchemaNode tree (core/config_engine.h): YAML parsing, overrides,
// validation, dumps and the Markdown reference, written once for every root struct.
#include "core/config_engine.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

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

using Kind = SchemaNode::Kind;

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

// Fields marked kAllIsMinusOne take the word `all` for -1 ("batch_size: all").
bool AllowsAll(const SchemaNode& f) {
  return (f.kind == Kind::kInt || f.kind == Kind::kIntList) && f.spec.all_is_minus_one;
}

std::string EnumChoices(const SchemaNode& f, std::string_view separator) {
  std::vector<std::string> names;
  for (const auto& [value, name] : f.enum_names) names.emplace_back(name);
  return Join(names, separator);
}

const char* EnumName(const SchemaNode& f, int64_t value) {
  for (const auto& [v, name] : f.enum_names) {
    if (v == value) return name;
  }
  return "<invalid>";
}

// "a boolean (true/false)", "an integer", ...: what a field of this kind holds.
std::string TypeDescription(const SchemaNode& f) {
  switch (f.kind) {
    case Kind::kBool:
      return "a boolean (true/false)";
    case Kind::kInt:
      return "an integer";
    case Kind::kDouble:
      return "a number";
    case Kind::kString:
      return "a string";
    case Kind::kIntList:
      return "a list of integers";
    case Kind::kEnum:
      return "one of " + EnumChoices(f, "|");
    case Kind::kSection:
      break;
  }
  return "a section";
}

// Short type name for the docs table.
const char* TypeName(const SchemaNode& f) {
  switch (f.kind) {
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kDouble:
      return "double";
    case Kind::kString:
      return "string";
    case Kind::kIntList:
      return "list of int";
    case Kind::kEnum:
      return "enum";
    case Kind::kSection:
      break;
  }
  return "section";
}

// Full expectation including the range: "an integer in [1, 8]", "a list of integers, each >= 1".
// `element` describes one entry of a list field.
std::string Expectation(const SchemaNode& f, bool element = false) {
  std::string out = element ? "an integer" : TypeDescription(f);
  if (f.spec.has_bound) {
    out += f.kind == Kind::kIntList && !element ? ", each " : " ";
    out += f.spec.bound.Describe();
  }
  if (AllowsAll(f)) out += " (or all = -1)";
  return out;
}

std::string FormatDouble(double x) {
  if (std::isinf(x)) return x > 0 ? ".inf" : "-.inf";
  return fmt::format("{}", x);
}

// Invalid UTF-8 in a string value is replaced, not thrown over.
template <class Json>
std::string DumpJson(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

template <class T>
const T& Member(const SchemaNode& f) {
  return *static_cast<const T*>(f.member);
}
template <class T>
T& MutableMember(const SchemaNode& f) {
  return *static_cast<T*>(f.member);
}

// The value as YAML text.
std::string Render(const SchemaNode& f) {
  switch (f.kind) {
    case Kind::kBool:
      return Member<bool>(f) ? "true" : "false";
    case Kind::kInt:
      return std::to_string(Member<int64_t>(f));
    case Kind::kDouble:
      return FormatDouble(Member<double>(f));
    case Kind::kString:
      return DumpJson(nlohmann::json(Member<std::string>(f)));  // quoted; escapes valid in YAML
    case Kind::kIntList: {
      std::vector<std::string> items;
      for (const int64_t x : Member<std::vector<int64_t>>(f)) items.push_back(std::to_string(x));
      return "[" + Join(items, ", ") + "]";
    }
    case Kind::kEnum:
      return EnumName(f, f.enum_get(f.member));
    case Kind::kSection:
      break;
  }
  return "";
}

// The value as a message shows it after "got": strings without quotes.
std::string Display(const SchemaNode& f) {
  return f.kind == Kind::kString ? Shorten(Member<std::string>(f)) : Render(f);
}

nlohmann::ordered_json ToJson(const SchemaNode& f) {
  switch (f.kind) {
    case Kind::kBool:
      return Member<bool>(f);
    case Kind::kInt:
      return Member<int64_t>(f);
    case Kind::kDouble: {
      const double x = Member<double>(f);
      if (!std::isfinite(x)) return FormatDouble(x);  // JSON has no infinity
      return x;
    }
    case Kind::kString:
      return Member<std::string>(f);
    case Kind::kIntList:
      return Member<std::vector<int64_t>>(f);
    case Kind::kEnum:
      return EnumName(f, f.enum_get(f.member));
    case Kind::kSection:
      break;
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const SchemaNode& child : f.children) out[child.key] = ToJson(child);
  return out;
}

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

bool InBound(double x, const FieldSpec& spec) { return !spec.has_bound || spec.bound.Contains(x); }

// Why a value was refused.
struct ParseFailure {
  std::string expected;
  int element = -1;    // for lists: the offending entry, else -1
  std::string suffix;  // appended after "got '...'"
};

// One integer of an int or int-list field, with `all` and the range.
bool ParseInt(const YAML::Node& n, const SchemaNode& f, int64_t* out, ParseFailure* failure) {
  if (!IsPlainScalar(n)) {
    if (n.IsScalar()) failure->suffix = " (a quoted string)";
    return false;
  }
  if (n.Scalar() == "all" && AllowsAll(f)) {
    *out = -1;
    return true;
  }
  return ParseIntText(n.Scalar(), out) && InBound(static_cast<double>(*out), f.spec);
}

bool ParseIntList(const YAML::Node& n, const SchemaNode& f, std::vector<int64_t>* out,
                  ParseFailure* failure) {
  if (n.IsScalar()) {  // one value is a one-entry list ("neighbor: 10", "neighbor: all")
    int64_t x = 0;
    if (!ParseInt(n, f, &x, failure)) return false;
    *out = {x};
    return true;
  }
  if (!n.IsSequence()) return false;
  std::vector<int64_t> values(n.size());
  for (size_t i = 0; i < n.size(); ++i) {
    if (!ParseInt(n[i], f, &values[i], failure)) {
      failure->expected = Expectation(f, /*element=*/true);
      failure->element = static_cast<int>(i);
      return false;
    }
  }
  *out = std::move(values);
  return true;
}

// Parses `n` into field `f` (only when the whole value is valid). Strings are returned through
// `text` so that the caller can resolve paths first.
bool ParseValue(const YAML::Node& n, const SchemaNode& f, std::string* text,
                ParseFailure* failure) {
  failure->expected = Expectation(f);
  switch (f.kind) {
    case Kind::kIntList: {
      std::vector<int64_t> values;
      if (!ParseIntList(n, f, &values, failure)) return false;
      MutableMember<std::vector<int64_t>>(f) = std::move(values);
      return true;
    }
    case Kind::kInt: {
      int64_t x = 0;
      if (!ParseInt(n, f, &x, failure)) return false;
      MutableMember<int64_t>(f) = x;
      return true;
    }
    case Kind::kString:
      if (!n.IsScalar()) return false;
      *text = n.Scalar();
      return true;
    case Kind::kEnum:  // quoted names are fine: TGL writes 'recent'
      if (!n.IsScalar()) return false;
      for (const auto& [value, name] : f.enum_names) {
        if (n.Scalar() == name) {
          f.enum_set(f.member, value);
          return true;
        }
      }
      return false;
    case Kind::kBool:
    case Kind::kDouble:
      if (!IsPlainScalar(n)) {
        if (n.IsScalar()) failure->suffix = " (a quoted string)";
        return false;
      }
      if (f.kind == Kind::kBool) return ParseBoolText(n.Scalar(), &MutableMember<bool>(f));
      {
        double x = 0;
        if (!ParseDoubleText(n.Scalar(), &x) || !InBound(x, f.spec)) return false;
        MutableMember<double>(f) = x;
      }
      return true;
    case Kind::kSection:
      break;
  }
  return false;
}

// In-memory configs (ValidateSchema): the same range checks without a YAML node.
bool CheckValue(const SchemaNode& f, ParseFailure* failure) {
  failure->expected = Expectation(f);
  switch (f.kind) {
    case Kind::kInt:
      return InBound(static_cast<double>(Member<int64_t>(f)), f.spec);
    case Kind::kDouble:
      return InBound(Member<double>(f), f.spec);
    case Kind::kIntList: {
      const auto& values = Member<std::vector<int64_t>>(f);
      for (size_t i = 0; i < values.size(); ++i) {
        if (!InBound(static_cast<double>(values[i]), f.spec)) {
          failure->expected = Expectation(f, /*element=*/true);
          failure->element = static_cast<int>(i);
          return false;
        }
      }
      return true;
    }
    case Kind::kEnum:
      return std::string_view(EnumName(f, f.enum_get(f.member))) != "<invalid>";
    default:
      return true;
  }
}

// ---- parsing --------------------------------------------------------------------------------

struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

Status ParseSection(const Source& src, const YAML::Node& map, const std::string& prefix,
                    const SchemaNode& section, LocationMap* locations);

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

Status ParseField(const Source& src, const Entry& entry, const std::string& full_key,
                  const SchemaNode& field, LocationMap* locations) {
  ParseFailure failure;
  std::string text;
  if (!ParseValue(entry.value, field, &text, &failure)) {
    YAML::Node bad = entry.value;
    std::string key = full_key;
    if (failure.element >= 0) {
      bad = entry.value[failure.element];
      key += fmt::format("[{}]", failure.element);
    }
    return KeyError(Where(src, ValueMark(bad, entry.key_node)), key, failure.expected,
                    NodeText(bad), failure.suffix);
  }
  if (field.kind == Kind::kString) {
    if (field.spec.relative_path && !src.base_dir.empty() && !text.empty()) {
      const std::filesystem::path p(text);
      if (p.is_relative()) text = (src.base_dir / p).lexically_normal().string();
    }
    MutableMember<std::string>(field) = std::move(text);
  }
  (*locations)[full_key] = Where(src, ValueMark(entry.value, entry.key_node));
  return Status::Ok();
}

// The error for a key the section does not have: its new name when it was renamed, else the
// known keys and the closest one.
Status UnknownKey(const Source& src, const Entry& e, const std::string& prefix,
                  const SchemaNode& section) {
  std::vector<std::string> known;
  for (const SchemaNode& child : section.children) known.emplace_back(child.key);
  const std::string expected =
      prefix.empty() ? "a section name (one of " + Join(known, ", ") + ")"
                     : fmt::format("a key of section '{}' (one of {})", prefix, Join(known, ", "));
  std::string suffix;
  for (const SchemaRename& r : section.renamed) {
    if (e.key == r.old_key) suffix = fmt::format(" (renamed: did you mean '{}'?)", r.new_key);
  }
  size_t best = 3;  // suggest only close matches
  for (size_t i = 0; suffix.empty() && i < known.size(); ++i) {
    const size_t d = EditDistance(e.key, known[i]);
    if (d < best && d < std::max<size_t>(known[i].size() / 2, 1)) best = d;
  }
  for (size_t i = 0; suffix.empty() && best < 3 && i < known.size(); ++i) {
    if (EditDistance(e.key, known[i]) == best) {
      suffix = fmt::format(" (did you mean '{}'?)", known[i]);
    }
  }
  return KeyError(Where(src, e.key_node.Mark()), JoinKey(prefix, e.key), expected, e.key, suffix);
}

Status CollectEntries(const Source& src, const YAML::Node& map, const std::string& prefix,
                      std::vector<Entry>* entries) {
  for (const auto& item : map) {  // item: a (key, value) pair of nodes
    const YAML::Node& key = item.first;
    if (!key.IsScalar()) {
      return KeyError(Where(src, key.Mark()), prefix.empty() ? "<top level>" : prefix, "a key name",
                      NodeText(key));
    }
    for (const Entry& e : *entries) {
      if (e.key == key.Scalar()) {
        return KeyError(Where(src, key.Mark()), JoinKey(prefix, e.key), "each key at most once",
                        e.key, fmt::format(" again (first at {})", Where(src, e.key_node.Mark())));
      }
    }
    entries->push_back({key.Scalar(), key, item.second});
  }
  return Status::Ok();
}

// Moves the entries of one YAML map into the fields of one section.
Status ParseSection(const Source& src, const YAML::Node& map, const std::string& prefix,
                    const SchemaNode& section, LocationMap* locations) {
  std::vector<Entry> entries;
  SG_RETURN_IF_ERROR(CollectEntries(src, map, prefix, &entries));
  for (const Entry& e : entries) {
    const bool known = std::any_of(section.children.begin(), section.children.end(),
                                   [&](const SchemaNode& c) { return e.key == c.key; });
    if (!known) return UnknownKey(src, e, prefix, section);
  }
  for (const SchemaNode& child : section.children) {
    const auto entry = std::find_if(entries.begin(), entries.end(),
                                    [&](const Entry& e) { return e.key == child.key; });
    if (entry == entries.end()) continue;
    const std::string full_key = JoinKey(prefix, child.key);
    if (child.kind != Kind::kSection) {
      SG_RETURN_IF_ERROR(ParseField(src, *entry, full_key, child, locations));
      continue;
    }
    YAML::Node body;
    SG_RETURN_IF_ERROR(UnwrapSection(src, *entry, full_key, &body));
    (*locations)[full_key] = Where(src, entry->key_node.Mark());
    SG_RETURN_IF_ERROR(ParseSection(src, body, full_key, child, locations));
  }
  return Status::Ok();
}

Status ParseDocument(const std::string& text, const Source& src, const SchemaNode& root,
                     LocationMap* locations) {
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("{}: YAML syntax error: {}", Where(src, e.mark), e.msg));
  }
  if (!doc.IsDefined() || doc.IsNull()) return Status::Ok();  // empty file: all defaults
  if (!doc.IsMap()) {
    return Status::InvalidArgument(
        fmt::format("{}: expected a map of sections at the top level, got '{}'",
                    Where(src, doc.Mark()), NodeText(doc)));
  }
  try {
    return ParseSection(src, doc, "", root, locations);
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

Status ApplyOverride(const std::string& assignment, const SchemaNode& root,
                     LocationMap* locations) {
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
    return Status::InvalidArgument(fmt::format(
        "{}: expected 'section.key=value' (the value in YAML, e.g. --set "
        "sampling.neighbor=[10,10]), got '{}'",
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
    return ParseSection(src, node, "", root, locations);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(fmt::format("{}: {}", src.name, e.msg));
  }
}

// ---- validation -----------------------------------------------------------------------------

// Where the key was set; else where its closest enclosing section was; else the fallback.
std::string LocationOf(std::string key, const LocationMap& locations,
                       const std::string& fallback) {
  while (true) {
    if (auto it = locations.find(key); it != locations.end()) return it->second;
    const size_t dot = key.rfind('.');
    if (dot == std::string::npos) return fallback;
    key.resize(dot);
  }
}

// The field a rule names, relative to the section holding the rule ("gnn.layer").
const SchemaNode* FindField(const SchemaNode& section, std::string_view dotted) {
  const size_t dot = dotted.find('.');
  const std::string_view head = dotted.substr(0, dot);
  for (const SchemaNode& child : section.children) {
    if (head != child.key) continue;
    if (dot == std::string_view::npos) return &child;
    return child.kind == Kind::kSection ? FindField(child, dotted.substr(dot + 1)) : nullptr;
  }
  return nullptr;
}

// Field ranges (for configs edited in code), then each section's rules after its fields.
Status ValidateSection(const SchemaNode& section, const std::string& prefix,
                       const LocationMap& locations, const std::string& fallback) {
  for (const SchemaNode& child : section.children) {
    const std::string full_key = JoinKey(prefix, child.key);
    if (child.kind == Kind::kSection) {
      SG_RETURN_IF_ERROR(ValidateSection(child, full_key, locations, fallback));
      continue;
    }
    ParseFailure failure;
    if (CheckValue(child, &failure)) continue;
    std::string key = full_key;
    std::string got = Display(child);
    if (failure.element >= 0) {
      got = std::to_string(Member<std::vector<int64_t>>(child)[failure.element]);
      key += fmt::format("[{}]", failure.element);
    }
    return KeyError(LocationOf(full_key, locations, fallback), key, failure.expected, got);
  }
  for (const SchemaRule& rule : section.rules) {
    const std::string expected = rule.check();
    if (expected.empty()) continue;
    const std::string full_key = JoinKey(prefix, rule.key);
    const SchemaNode* field = FindField(section, rule.key);
    return KeyError(LocationOf(full_key, locations, fallback), full_key, expected,
                    field != nullptr && field->kind != Kind::kSection ? Display(*field) : "");
  }
  return Status::Ok();
}

// ---- dumps and docs -------------------------------------------------------------------------

void AppendYaml(const SchemaNode& section, int indent, std::string* out) {
  for (const SchemaNode& child : section.children) {
    if (child.kind == Kind::kSection) {
      *out += fmt::format("{:{}}{}:\n", "", indent, child.key);
      AppendYaml(child, indent + 2, out);
    } else {
      *out += fmt::format("{:{}}{}: {}\n", "", indent, child.key, Render(child));
    }
  }
}

std::string EscapeCell(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

// One section's table, rules and renamed keys, then its subsections one heading deeper.
std::string SectionMarkdown(const SchemaNode& section, const std::string& prefix, int level) {
  std::string rows, subsections;
  for (const SchemaNode& child : section.children) {
    if (child.kind == Kind::kSection) {
      const std::string full_key = JoinKey(prefix, child.key);
      subsections += fmt::format("\n{} `{}`\n\n{}\n", std::string(level, '#'), full_key, child.doc);
      subsections += SectionMarkdown(child, full_key, level + 1);
      continue;
    }
    std::string allowed;
    if (child.kind == Kind::kEnum) {
      allowed = "`" + EnumChoices(child, "`, `") + "`";
    } else if (child.spec.has_bound) {
      allowed = (child.kind == Kind::kIntList ? "each " : "") + child.spec.bound.Describe();
      if (AllowsAll(child)) allowed += " (`all` = -1)";
    }
    rows += fmt::format("| `{}` | {} | `{}` | {} | {} |\n", child.key, TypeName(child),
                        Render(child), EscapeCell(allowed), EscapeCell(child.doc));
  }
  std::string out;
  if (!rows.empty()) {
    out += "\n| key | type | default | allowed | description |\n|---|---|---|---|---|\n" + rows;
  }
  if (!section.rules.empty()) {
    out += "\nChecked together with other keys:\n\n";
    for (const SchemaRule& rule : section.rules) out += fmt::format("- `{}` {}.\n", rule.key, rule.doc);
  }
  if (!section.renamed.empty()) {
    out += "\nRenamed keys (an error naming the new key):\n\n";
    for (const SchemaRename& r : section.renamed) {
      out += fmt::format("- `{}` is now `{}`.\n", JoinKey(prefix, r.old_key), r.new_key);
    }
  }
  return out + subsections;
}

}  // namespace

Status ReadConfigText(const std::string& path, std::string* text, std::string* base_dir) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Status::NotFound(fmt::format("{}: config file not found", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) return Status::IOError(fmt::format("{}: cannot open", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in.good() && !in.eof()) return Status::IOError(fmt::format("{}: cannot read", path));
  const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec) return Status::IOError(fmt::format("{}: {}", path, ec.message()));
  *text = buffer.str();
  *base_dir = absolute.parent_path().string();
  return Status::Ok();
}

Status LoadSchema(const SchemaNode& root, const std::string& text, const std::string& source_name,
                  const std::string& base_dir, const std::vector<std::string>& overrides) {
  const Source src{source_name, false, base_dir};
  LocationMap locations;
  SG_RETURN_IF_ERROR(ParseDocument(text, src, root, &locations));
  for (const std::string& assignment : overrides) {
    SG_RETURN_IF_ERROR(ApplyOverride(assignment, root, &locations));
  }
  return ValidateSection(root, "", locations, source_name);
}

Status ApplySchemaOverride(const SchemaNode& root, const std::string& assignment) {
  LocationMap locations;
  return ApplyOverride(assignment, root, &locations);
}

Status ValidateSchema(const SchemaNode& root) {
  return ValidateSection(root, "", LocationMap(), "config");
}

std::string SchemaToYaml(const SchemaNode& root) {
  std::string out;
  AppendYaml(root, 0, &out);
  return out;
}

std::string SchemaToJson(const SchemaNode& root) { return DumpJson(ToJson(root)); }

std::string SchemaReferenceMarkdown(const SchemaNode& root, int heading_level) {
  return SectionMarkdown(root, "", heading_level);
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

}  // namespace streamgnn::core
