#pragma once
// Every key of dgkafka.toml described once: its type, default, allowed values and meaning drive
// the validation, the defaults, the README's key table and dgkafka.toml(5).
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace dgkafka {
struct Config;
}

namespace dgkafka::keys {

enum class Kind { string, integer, number, boolean, table, table_array, scalar, scalar_array, strings };
enum class Need { optional, required, unused };  // unused: accepted for xdrive-era configs, ignored

using Value = std::variant<bool, long long, double, std::string>;

// Allowed numbers: [min, max], or (min, max] when min_open; `also` is one more value outside it.
struct Range {
    std::optional<double> min, max;
    bool min_open = false;
    std::optional<double> also;
    std::string also_means;
};
Range between(double min, double max);
Range at_least(double min);
Range more_than(double min);

struct Key;
// Reads and writes the Config field a key fills; a choice maps to the value it names (an enum's,
// or a bool's), never by its position in the list.
struct Binding {
    std::function<void(Config&, const Key&, const Value&)> set;
    std::function<std::optional<Value>(const Config&, const Key&)> get;
};

struct Key {
    std::string name;  // dotted path; "[]" stands for each element of an array of tables
    Kind kind;
    std::string meaning;  // one line
    Need need = Need::optional;
    std::optional<Value> default_value;  // applied when the key is absent
    std::string default_text;            // a default that is computed, in words
    std::optional<Range> range;
    std::vector<std::string> choices;
    std::vector<int> choice_values;  // each choice's value in its field (an enum's, false/true); empty: the text
    std::string unit;                // "seconds"
    std::string allowed_text;        // allowed values checked by hand, in words
    bool nonempty = false;           // a string that must hold more than blanks
    Binding binding;                 // empty: read by hand in config.cpp

    Key(std::string n, Kind k, std::string m) : name(std::move(n)), kind(k), meaning(std::move(m)) {}
    Key&& required() && {
        need = Need::required;
        return std::move(*this);
    }
    Key&& unused() && {
        need = Need::unused;
        return std::move(*this);
    }
    Key&& def(Value v) && {
        default_value = std::move(v);
        return std::move(*this);
    }
    Key&& def_text(std::string t) && {
        default_text = std::move(t);
        return std::move(*this);
    }
    Key&& in(Range r, std::string u = "") && {
        range = std::move(r);
        unit = std::move(u);
        return std::move(*this);
    }
    // Choices kept as text in their field.
    Key&& one_of(std::vector<std::string> c) && {
        choices = std::move(c);
        return std::move(*this);
    }
    // Choices each naming a value of the field's type: {{"insert", Mode::insert}, ...}.
    template <typename V>
    Key&& one_of(std::vector<std::pair<std::string, V>> c) && {
        for (auto& [text, value] : c) {
            choices.push_back(std::move(text));
            choice_values.push_back(static_cast<int>(value));
        }
        return std::move(*this);
    }
    // The choice naming `value` (a field's enum or bool).
    template <typename V>
    const std::string& choice(V value) const {
        for (size_t i = 0; i < choice_values.size(); ++i)
            if (choice_values[i] == static_cast<int>(value)) return choices[i];
        throw std::logic_error(name + ": no choice names this value");
    }
    Key&& allowed(std::string t) && {
        allowed_text = std::move(t);
        return std::move(*this);
    }
    Key&& not_empty() && {
        nonempty = true;
        return std::move(*this);
    }
    Key&& bind(Binding b) && {
        binding = std::move(b);
        return std::move(*this);
    }

    std::string leaf() const;    // "max_row"
    std::string parent() const;  // "kafka.commit"
};

const std::vector<Key>& all();
const Key* find(const std::string& name);
std::vector<const Key*> children(const std::string& table);  // keys directly inside a table

// The problem with a value of the right kind, e.g. "0 must be between 1 and 10000000"; none if allowed.
std::optional<std::string> check(const Key& key, const Value& value, const std::string& shown);

std::string kind_text(Kind k);  // "integer"
std::string default_text(const Key& key);
std::string allowed_text(const Key& key);
std::string value_text(const Value& v);  // as written in TOML

std::string markdown_table();                      // the README's key table
std::string man_page(const std::string& version);  // dgkafka.toml(5), roff

}  // namespace dgkafka::keys
