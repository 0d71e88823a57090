// Strict YAML loading of StaticConfig: the visitors of core/config.cc (which are private to it)
// rebuilt for this struct over the same schema vocabulary (core/config_schema.h), with the same
// error shape: "<file>:<line>:<col>: key '<section.key>': expected <what>, got '<text>'".
// Beyond core's loader: integer fields and integer lists whose range admits -1 also accept the
// word `all` (written for -1), so `batch_size: all` and `fanouts: all` read naturally, and a list
// field given one scalar is a one-entry list (`fanouts: 10`).
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <type_traits>

#include "trainers/static_trainer.h"

namespace streamgnn::trainers {
namespace {

using core::FieldSpec;
using core::MakeFieldSpec;

struct Source {
  std::string name;
  bool is_override = false;
  std::string base_dir;
};

using LocationMap = std::map<std::string, std::string>;

std::string Where(const Source& src, const YAML::Mark& mark) {
  if (src.is_override || mark.is_null()) return src.name;
  return fmt::format("{}:{}:{}", src.name, mark.line + 1, mark.column + 1);
}

std::string JoinKey(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

std::string NodeText(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "null";
  std::string s;
  if (node.IsScalar()) {
    s = node.Scalar();
  } else {
    YAML::Emitter out;
    out.SetMapFormat(YAML::Flow);
    out.SetSeqFormat(YAML::Flow);
    out << node;
    s = out.c_str();
  }
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

YAML::Mark ValueMark(const YAML::Node& value, const YAML::Node& key) {
  if (value.IsDefined() && !value.IsNull() && !value.Mark().is_null()) return value.Mark();
  return key.Mark();
}

Status KeyError(const std::string& where, const std::string& key, const std::string& expected,
                const std::string& got, const std::string& suffix = "") {
  return Status::InvalidArgument(
      fmt::format("{}: key '{}': expected {}, got '{}'{}", where, key, expected, got, suffix));
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

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
    static_assert(std::is_enum_v<T>, "unsupported config field type");
    return "one of " + core::EnumChoices<T>();
  }
}

bool AllowsAll(const FieldSpec& spec) { return spec.has_bound && spec.bound.Contains(-1); }

template <class T>
std::string Expectation(const FieldSpec& spec) {
  std::string out = TypeDescription<T>();
  if (spec.has_bound) {
    out += std::is_same_v<T, std::vector<int64_t>> ? ", each " : " ";
    out += spec.bound.Describe();
  }
  if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, std::vector<int64_t>>) {
    if (AllowsAll(spec)) out += " (or all = -1)";
  }
  return out;
}

bool IsPlain(const YAML::Node& n) { return n.IsScalar() && n.Tag() != "!"; }

bool ParseInt(const YAML::Node& n, const FieldSpec& spec, int64_t* out) {
  if (!IsPlain(n)) return false;
  const std::string& s = n.Scalar();
  if (s == "all" && AllowsAll(spec)) {
    *out = -1;
    return true;
  }
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno != 0) return false;
  *out = v;
  return !spec.has_bound || spec.bound.Contains(static_cast<double>(v));
}

template <class T>
bool ParseValue(const YAML::Node& n, const FieldSpec& spec, T* out, int* element) {
  if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
    if (n.IsScalar()) {  // one value stands for a one-entry list ("fanouts: 10", "fanouts: all")
      int64_t x = 0;
      if (!ParseInt(n, spec, &x)) return false;
      *out = {x};
      return true;
    }
    if (!n.IsSequence()) return false;
    std::vector<int64_t> values(n.size());
    for (size_t i = 0; i < n.size(); ++i) {
      if (!ParseInt(n[i], spec, &values[i])) {
        *element = static_cast<int>(i);
        return false;
      }
    }
    *out = std::move(values);
    return true;
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return ParseInt(n, spec, out);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!n.IsScalar()) return false;
    *out = n.Scalar();
    return true;
  } else if constexpr (std::is_enum_v<T>) {
    return n.IsScalar() && core::EnumFromString(n.Scalar(), out);
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!IsPlain(n)) return false;
    const std::string& s = n.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return *out = true, true;
    if (s == "false" || s == "False" || s == "FALSE") return *out = false, true;
    return false;
  } else {
    if (!IsPlain(n)) return false;
    const std::string& s = n.Scalar();
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s == ".inf" || s == "+.inf") v = HUGE_VAL, end = const_cast<char*>(s.c_str() + s.size());
    if (s.empty() || *end != '\0' || std::isnan(v)) return false;
    *out = v;
    return !spec.has_bound || spec.bound.Contains(v);
  }
}

struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

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

class ParseVisitor {
 public:
  ParseVisitor(const Source& src, const std::vector<Entry>* entries, std::string prefix,
               LocationMap* locations)
      : src_(src), entries_(entries), prefix_(std::move(prefix)), locations_(locations) {}

  template <class T, class... Spec>
  void Field(const char* key, T* member, const char*, const Spec&... spec) {
    const Entry* e = Find(key);
    if (e == nullptr || !status_.ok()) return;
    const FieldSpec fs = MakeFieldSpec(spec...);
    const std::string full = JoinKey(prefix_, key);
    T value{};
    int element = -1;
    if (!ParseValue(e->value, fs, &value, &element)) {
      YAML::Node bad = element >= 0 ? e->value[element] : e->value;
      const std::string k = element >= 0 ? fmt::format("{}[{}]", full, element) : full;
      std::string expected = Expectation<T>(fs);
      if (element >= 0) expected = Expectation<int64_t>(fs);
      status_ = KeyError(Where(src_, ValueMark(bad, e->key_node)), k, expected, NodeText(bad));
      return;
    }
    if constexpr (std::is_same_v<T, std::string>) {
      if (fs.relative_path && !src_.base_dir.empty() && !value.empty() &&
          std::filesystem::path(value).is_relative()) {
        value = (std::filesystem::path(src_.base_dir) / value).lexically_normal().string();
      }
    }
    *member = std::move(value);
    (*locations_)[full] = Where(src_, ValueMark(e->value, e->key_node));
  }

  template <class S>
  void Section(const char* key, S* sub, const char*) {
    const Entry* e = Find(key);
    if (e == nullptr || !status_.ok()) return;
    const std::string full = JoinKey(prefix_, key);
    YAML::Node body = e->value;
    if (!body.IsDefined() || body.IsNull()) {
      body = YAML::Node(YAML::NodeType::Map);
    } else if (body.IsSequence() && body.size() == 1 && body[0].IsMap()) {
      body = body[0];  // TGL style
    } else if (!body.IsMap()) {
      status_ = KeyError(Where(src_, ValueMark(body, e->key_node)), full,
                         "a section: a map of keys", NodeText(body));
      return;
    }
    (*locations_)[full] = Where(src_, e->key_node.Mark());
    status_ = ParseSection(src_, body, full, sub, locations_);
  }

  template <class F>
  void Rule(const char*, const char*, F&&) {}

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
  for (const auto& item : map) {
    const YAML::Node& key = item.first;
    if (!key.IsScalar()) {
      return KeyError(Where(src, key.Mark()), prefix.empty() ? "<top level>" : prefix,
                      "a key name", NodeText(key));
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
    const std::string expected =
        prefix.empty() ? "a section name (one of " + Join(known.keys) + ")"
                       : fmt::format("a key of section '{}' (one of {})", prefix, Join(known.keys));
    return KeyError(Where(src, e.key_node.Mark()), JoinKey(prefix, e.key), expected, e.key);
  }
  ParseVisitor visitor(src, &entries, prefix, locations);
  s->Visit(visitor);
  return visitor.status();
}

template <class T>
std::string Render(const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return std::to_string(value);
  } else if constexpr (std::is_same_v<T, double>) {
    return fmt::format("{}", value);
  } else if constexpr (std::is_same_v<T, std::string>) {
    std::string out = "\"";
    for (char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
    std::vector<std::string> items;
    for (int64_t x : value) items.push_back(std::to_string(x));
    return "[" + Join(items) + "]";
  } else {
    return std::string("\"") + core::EnumToString(value) + "\"";
  }
}

// Cross-field rules after all input is applied; values recorded with dotted keys so that rules
// of an enclosing struct can name nested fields ("sampling.fanouts").
class ValidateVisitor {
 public:
  ValidateVisitor(std::string prefix, const LocationMap* locations, const std::string* fallback)
      : prefix_(std::move(prefix)), locations_(locations), fallback_(fallback) {}

  template <class T, class... Spec>
  void Field(const char* key, T* member, const char*, const Spec&...) {
    values_[key] = Render(*member);
  }
  template <class S>
  void Section(const char* key, S* sub, const char*) {
    ValidateVisitor v(JoinKey(prefix_, key), locations_, fallback_);
    sub->Visit(v);
    if (status_.ok()) status_ = v.status_;
    for (const auto& [k, value] : v.values_) values_[std::string(key) + "." + k] = value;
  }
  template <class F>
  void Rule(const char* key, const char*, F&& check) {
    if (!status_.ok()) return;
    const std::string expected = check();
    if (expected.empty()) return;
    const std::string full = JoinKey(prefix_, key);
    status_ = KeyError(LocationOf(full), full, expected, values_[key]);
  }
  const Status& status() const { return status_; }

 private:
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
  std::map<std::string, std::string> values_;
  Status status_;
};

class JsonVisitor {
 public:
  explicit JsonVisitor(std::string* out) : out_(out) {}
  template <class T, class... Spec>
  void Field(const char* key, T* member, const char*, const Spec&...) {
    Sep();
    *out_ += fmt::format("\"{}\":{}", key, Render(*member));
  }
  template <class S>
  void Section(const char* key, S* sub, const char*) {
    Sep();
    *out_ += fmt::format("\"{}\":{{", key);
    JsonVisitor v(out_);
    sub->Visit(v);
    *out_ += "}";
  }
  template <class F>
  void Rule(const char*, const char*, F&&) {}

 private:
  void Sep() {
    if (!first_) *out_ += ",";
    first_ = false;
  }
  std::string* out_;
  bool first_ = true;
};

std::string Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  return std::string(s.substr(b, s.find_last_not_of(" \t") - b + 1));
}

Status ApplyOverride(const std::string& assignment, StaticConfig* config, LocationMap* locations) {
  const Source src{"--set " + assignment, true, ""};
  const size_t eq = assignment.find('=');
  const std::string key = Trim(assignment.substr(0, eq == std::string::npos ? 0 : eq));
  std::vector<std::string> segments;
  std::stringstream in(key);
  for (std::string seg; std::getline(in, seg, '.');) segments.push_back(seg);
  if (eq == std::string::npos || segments.empty() || key.back() == '.' ||
      std::any_of(segments.begin(), segments.end(), [](const auto& s) { return s.empty(); })) {
    return Status::InvalidArgument(fmt::format(
        "{}: expected 'section.key=value' (e.g. --set train.lr=0.005), got '{}'", src.name,
        assignment));
  }
  YAML::Node node;
  const std::string text = assignment.substr(eq + 1);
  try {
    node = Trim(text).empty() ? YAML::Node(std::string()) : YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return KeyError(src.name, key, "a YAML value", text, fmt::format(" ({})", e.msg));
  }
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

StatusOr<StaticConfig> LoadImpl(const std::string& text, const Source& src,
                                const std::vector<std::string>& overrides) {
  StaticConfig config;
  LocationMap locations;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("{}: YAML syntax error: {}", Where(src, e.mark), e.msg));
  }
  if (root.IsDefined() && !root.IsNull()) {
    if (!root.IsMap()) {
      return Status::InvalidArgument(fmt::format(
          "{}: expected a map of sections at the top level, got '{}'", Where(src, root.Mark()),
          NodeText(root)));
    }
    try {
      SG_RETURN_IF_ERROR(ParseSection(src, root, "", &config, &locations));
    } catch (const YAML::Exception& e) {
      return Status::InvalidArgument(fmt::format("{}: {}", Where(src, e.mark), e.msg));
    }
  }
  for (const std::string& a : overrides) SG_RETURN_IF_ERROR(ApplyOverride(a, &config, &locations));
  ValidateVisitor validate("", &locations, &src.name);
  config.Visit(validate);
  SG_RETURN_IF_ERROR(validate.status());
  return config;
}

}  // namespace

StatusOr<StaticConfig> LoadStaticConfigFile(const std::string& path,
                                            const std::vector<std::string>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open config file '" + path + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string dir = std::filesystem::absolute(path).parent_path().string();
  return LoadImpl(buffer.str(), Source{path, false, dir}, overrides);
}

StatusOr<StaticConfig> LoadStaticConfigString(const std::string& yaml_text,
                                              const std::string& source_name,
                                              const std::vector<std::string>& overrides) {
  return LoadImpl(yaml_text, Source{source_name, false, ""}, overrides);
}

std::string StaticConfigToJson(const StaticConfig& config) {
  StaticConfig copy = config;
  std::string out = "{";
  JsonVisitor v(&out);
  copy.Visit(v);
  return out + "}";
}

}  // namespace streamgnn::trainers
