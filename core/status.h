// Error handling for library code: Status / StatusOr<T>, in the style of RocksDB and Abseil.
//
// Every function that touches files, RocksDB, configs or user input returns a Status or a
// StatusOr<T>. Library code never throws, aborts or exits; the boundaries (CLI, Python) turn a
// non-ok Status into a message and a non-zero exit code or a Python exception.
// Programming errors (violated preconditions inside the library) are checked with SG_CHECK,
// which aborts with file and line: they are bugs, not user errors.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace streamgnn {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad user input: config, file contents, API arguments
  kNotFound,            // missing file, key or node
  kIOError,             // the OS refused a read/write
  kCorruption,          // a file we wrote does not read back (cache, checkpoint)
  kOutOfRange,          // e.g. an id beyond the configured id space
  kFailedPrecondition,  // the operation is not valid in the current state
  kResourceExhausted,   // a bounded queue or memory budget is full
  kUnimplemented,       // a feature that is not built yet says so
  kInternal,
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidArgument: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy with "<prefix>: " put before the message (adds context while propagating).
  Status WithPrefix(const std::string& prefix) const {
    return ok() ? *this : Status(code_, prefix + ": " + message_);
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Holds either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status status) : rep_(std::move(status)) {  // NOLINT: implicit by design
    if (std::get<Status>(rep_).ok()) rep_ = Status::Internal("StatusOr built from an OK status");
  }
  StatusOr(T value) : rep_(std::move(value)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(rep_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(rep_); }

  // Requires ok().
  T& value() & { return std::get<T>(rep_); }
  const T& value() const& { return std::get<T>(rep_); }
  T&& value() && { return std::get<T>(std::move(rep_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> rep_;
};

[[noreturn]] void CheckFailed(const char* file, int line, const char* expr, const std::string& msg);

}  // namespace streamgnn

#define SG_CONCAT_INNER_(a, b) a##b
#define SG_CONCAT_(a, b) SG_CONCAT_INNER_(a, b)

// Propagates a non-ok Status to the caller.
#define SG_RETURN_IF_ERROR(expr)                   \
  do {                                             \
    ::streamgnn::Status sg_status_ = (expr);       \
    if (!sg_status_.ok()) return sg_status_;       \
  } while (0)

// `SG_ASSIGN_OR_RETURN(auto x, MakeX());` binds the value or returns the error.
#define SG_ASSIGN_OR_RETURN(lhs, expr) \
  SG_ASSIGN_OR_RETURN_IMPL_(SG_CONCAT_(sg_statusor_, __LINE__), lhs, expr)
#define SG_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

// Internal invariants (bugs, not user errors): abort with file and line.
#define SG_CHECK(cond, msg)                                                     \
  do {                                                                          \
    if (!(cond)) ::streamgnn::CheckFailed(__FILE__, __LINE__, #cond, (msg));    \
  } while (0)
