#pragma once
// A pass over one datum's bytes before avro-c reads them. avro-c trusts the lengths and counts a
// message states: an array of 2^62 nulls in 10 bytes loops for ever, allocating; a deep recursive
// value overflows its stack. This pass only checks that every length, count, union branch and
// enum symbol fits the bytes and the limits below; avro-c still does the decoding.
#include <cstdint>
#include <string>
#include <string_view>

#include "avro/schema_tree.hpp"

namespace dgkafka::avro {

// Records, arrays and maps nested deeper than this are rejected (Jackson's default; PostgreSQL's
// json parser and avro-c's recursion stay far from their stack limits).
constexpr int max_nesting = 1000;
// Array items and map entries a message may hold beyond one per byte of it: items of type null or
// empty records take no bytes, so their count alone bounds nothing.
constexpr int64_t spare_items = 65536;

// False with `reason` (the whole text of a reject) when the bytes cannot be one datum of `root`
// within those limits.
bool within_limits(const Node& root, std::string_view body, std::string& reason);

}  // namespace dgkafka::avro
