#pragma once
// Reading result fields.
#include <optional>
#include <pqxx/pqxx>

namespace dgkafka::db {

// A field that may be NULL, as an optional.
template <typename T>
std::optional<T> nullable(const pqxx::field& f) {
    return f.is_null() ? std::nullopt : std::optional<T>(f.as<T>());
}

}  // namespace dgkafka::db
