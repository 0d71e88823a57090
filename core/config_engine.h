// The one configuration engine. Any root struct that describes itself with Visit()
// (core/config_schema.h) is loaded from YAML, overridden with `--set`, validated, dumped and
// documented by the functions at the bottom of this file; trainers::TemporalConfig (temporal
// runs) and trainers::StaticConfig (static runs) are two such roots.
//
// How: SchemaBuilder, the only visitor, walks a root once and records what its Visit()
// declares (keys, docs, constraints, rules, renamed keys) together with pointers to the members,
// as a SchemaNode tree. Everything else (YAML parsing with file:line:column errors, overrides,
// range and rule checks, YAML/JSON dumps, the Markdown reference) is ordinary code over that
// tree in core/config_engine.cc, so yaml-cpp and nlohmann-json stay out of every header.
//
// A SchemaNode points into the root it was built from: build it, use it, drop it, while the
// root stays where it is.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/config_schema.h"
#include "core/status.h"

namespace streamgnn::core {

// A cross-field check (Visit's v.Rule): "" when valid, else what was expected of `key`.
struct SchemaRule {
  const char* key;
  const char* doc;
  std::function<std::string()> check;
};

// A key this section no longer has (Visit's v.Renamed): loading it is an error that names
// `new_key`, a full dotted key, so that old configs fail with the fix in the message.
struct SchemaRename {
  const char* old_key;
  const char* new_key;
};

struct SchemaNode {
  enum class Kind { kBool, kInt, kDouble, kString, kIntList, kEnum, kSection };

  Kind kind = Kind::kSection;
  const char* key = "";  // "" for the root
  const char* doc = "";
  void* member = nullptr;  // the field (bool*, int64_t*, ...) or the section struct
  FieldSpec spec;

  // kEnum: the names, and the member read and written as its underlying integer.
  std::vector<std::pair<int64_t, const char*>> enum_names;
  int64_t (*enum_get)(const void*) = nullptr;
  void (*enum_set)(void*, int64_t) = nullptr;

  // kSection: fields and subsections in declaration order, then the rules and renamed keys.
  std::vector<SchemaNode> children;
  std::vector<SchemaRule> rules;
  std::vector<SchemaRename> renamed;
};

// The visitor that turns Visit() into a SchemaNode tree.
class SchemaBuilder {
 public:
  explicit SchemaBuilder(SchemaNode* node) : node_(node) {}

  template <class T, class... Spec>
  void Field(const char* key, T* member, const char* doc, const Spec&... spec) {
    SchemaNode field;
    field.kind = KindOf<T>();
    field.key = key;
    field.doc = doc;
    field.member = member;
    field.spec = MakeFieldSpec(spec...);
    if constexpr (std::is_enum_v<T>) {
      for (const auto& entry : EnumTraits<T>::kNames) {
        field.enum_names.emplace_back(static_cast<int64_t>(entry.value), entry.name);
      }
      field.enum_get = [](const void* p) { return static_cast<int64_t>(*static_cast<const T*>(p)); };
      field.enum_set = [](void* p, int64_t v) { *static_cast<T*>(p) = static_cast<T>(v); };
    }
    node_->children.push_back(std::move(field));
  }

  template <class S>
  void Section(const char* key, S* sub, const char* doc) {
    SchemaNode section;
    section.key = key;
    section.doc = doc;
    section.member = sub;
    SchemaBuilder builder(&section);
    sub->Visit(builder);
    node_->children.push_back(std::move(section));
  }

  template <class F>
  void Rule(const char* key, const char* doc, F&& check) {
    node_->rules.push_back({key, doc, std::function<std::string()>(std::forward<F>(check))});
  }

  void Renamed(const char* old_key, const char* new_key) {
    node_->renamed.push_back({old_key, new_key});
  }

 private:
  template <class T>
  static constexpr SchemaNode::Kind KindOf() {
    using Kind = SchemaNode::Kind;
    if constexpr (std::is_same_v<T, bool>) {
      return Kind::kBool;
    } else if constexpr (std::is_same_v<T, int64_t>) {
      return Kind::kInt;
    } else if constexpr (std::is_same_v<T, double>) {
      return Kind::kDouble;
    } else if constexpr (std::is_same_v<T, std::string>) {
      return Kind::kString;
    } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
      return Kind::kIntList;
    } else {
      static_assert(std::is_enum_v<T>, "unsupported config field type");
      return Kind::kEnum;
    }
  }

  SchemaNode* node_;
};

template <class Root>
SchemaNode DescribeConfig(Root* root) {
  SchemaNode node;
  SchemaBuilder builder(&node);
  root->Visit(builder);
  return node;
}

// ---- the engine over a tree (core/config_engine.cc) -----------------------------------------

// Parses `text` (named `source_name` in messages; relative paths resolved against `base_dir`
// unless it is ""), applies `overrides` in order, then checks every range and rule.
Status LoadSchema(const SchemaNode& root, const std::string& text, const std::string& source_name,
                  const std::string& base_dir, const std::vector<std::string>& overrides);
// Reads a config file and the directory its relative paths are resolved against.
Status ReadConfigText(const std::string& path, std::string* text, std::string* base_dir);
// One "section.key=value" override (field checks only).
Status ApplySchemaOverride(const SchemaNode& root, const std::string& assignment);
Status ValidateSchema(const SchemaNode& root);
std::string SchemaToYaml(const SchemaNode& root);
std::string SchemaToJson(const SchemaNode& root);
// Sections as Markdown, headings starting at `heading_level` ("##" for 2).
std::string SchemaReferenceMarkdown(const SchemaNode& root, int heading_level);

// "file:line:column" of `dotted_key` ("dataset.path") in the YAML file at `path` (TGL's list
// form included), for messages about a value that is valid YAML but fails later checks (a
// missing data file). Just `path` when the file does not set the key or cannot be read.
std::string KeyLocation(const std::string& path, const std::string& dotted_key);

// ---- the API, for any root struct -----------------------------------------------------------

// Reads the YAML file at `path`, applies `overrides` ("section.key=value", the value in YAML),
// then checks ranges and cross-field rules. Loading is strict: an unknown section or key, a
// wrong type, an out-of-range value, a renamed key or a broken rule is an InvalidArgument naming
// "file:line:column" and the key. NotFound/IOError for an unreadable file.
template <class Root>
StatusOr<Root> LoadConfigFileAs(const std::string& path,
                                const std::vector<std::string>& overrides = {}) {
  std::string text, base_dir;
  SG_RETURN_IF_ERROR(ReadConfigText(path, &text, &base_dir));
  Root root;
  SG_RETURN_IF_ERROR(LoadSchema(DescribeConfig(&root), text, path, base_dir, overrides));
  return root;
}

// The same from text; `source_name` stands in for the file name. Relative paths stay as written.
template <class Root>
StatusOr<Root> LoadConfigTextAs(const std::string& yaml_text, const std::string& source_name,
                                const std::vector<std::string>& overrides = {}) {
  Root root;
  SG_RETURN_IF_ERROR(LoadSchema(DescribeConfig(&root), yaml_text, source_name, "", overrides));
  return root;
}

// Applies one override to `root`, all or nothing (field checks only; validate afterwards).
template <class Root>
Status ApplyConfigOverride(const std::string& assignment, Root* root) {
  Root edited = *root;
  SG_RETURN_IF_ERROR(ApplySchemaOverride(DescribeConfig(&edited), assignment));
  *root = std::move(edited);
  return Status::Ok();
}

// Every range and rule, for a config built or edited in code.
template <class Root>
Status ValidateConfigFields(const Root& root) {
  Root copy = root;
  return ValidateSchema(DescribeConfig(&copy));
}

// Block YAML of every key; loading it gives back the same config.
template <class Root>
std::string ConfigAsYaml(const Root& root) {
  Root copy = root;
  return SchemaToYaml(DescribeConfig(&copy));
}

// One line of JSON of every key (run records, metrics files, Python).
template <class Root>
std::string ConfigAsJson(const Root& root) {
  Root copy = root;
  return SchemaToJson(DescribeConfig(&copy));
}

// The reference of every section and key with type, default, allowed values and docs.
template <class Root>
std::string ConfigReferenceAs(int heading_level) {
  Root defaults;
  return SchemaReferenceMarkdown(DescribeConfig(&defaults), heading_level);
}

}  // namespace streamgnn::core
