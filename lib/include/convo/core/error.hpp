// Errors as values: every layer returns these; the CLI maps `kind` to an exit code in one place.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace convo {

enum class ErrorKind {
  Runtime = 1,   // failure while running (bad data, I/O)
  Usage = 2,     // wrong arguments
  NotFound = 3,  // file, conversation or resource missing
  Auth = 4,      // rejected credentials
  Upstream = 5,  // server, broker or other peer failed
};

struct Error {
  ErrorKind kind = ErrorKind::Runtime;
  std::string message;  // one line, fit for a user
};

inline Error runtime_error(std::string msg) { return {ErrorKind::Runtime, std::move(msg)}; }
inline Error usage_error(std::string msg) { return {ErrorKind::Usage, std::move(msg)}; }
inline Error not_found_error(std::string msg) { return {ErrorKind::NotFound, std::move(msg)}; }

// A value or an error.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}       // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}   // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace convo
