#include "load/sink/json_pushdown.hpp"

#include <algorithm>
#include <string_view>

#include "formats/decoder.hpp"
#include "util/text.hpp"
#include "vocabulary/ident.hpp"
#include "vocabulary/sql_tokens.hpp"

namespace dgkafka::load {

namespace {
using sql::Token;

bool one_of(const std::string& v, std::initializer_list<std::string_view> set) {
    return std::find(set.begin(), set.end(), v) != set.end();
}

// Tokens that bind less tightly than ->> (or delimit), so `X jdata->>'k' Y` means `X (jdata->>'k') Y`.
bool loose_before(const Token* t) {
    if (!t) return true;
    if (t->kind == Token::punct) return one_of(t->value, {"(", ","});
    if (t->kind == Token::op) return one_of(t->value, {"=", "<>", "!=", "<", ">", "<=", ">="});
    if (t->kind == Token::identifier)
        return one_of(t->value, {"and", "or", "not", "when", "then", "else", "case", "in", "like", "ilike", "between",
                                 "similar", "is", "distinct", "from"});
    return false;
}

bool loose_after(const Token* t) {
    if (!t) return true;
    if (t->kind == Token::punct) return one_of(t->value, {")", ","});
    if (t->kind == Token::op)  // comparisons bind less; other operators group from the left
        return !one_of(t->value, {"+", "-", "*", "/", "%", "^"});
    if (t->kind == Token::identifier)
        return one_of(t->value, {"and", "or", "not", "is", "isnull", "notnull", "in", "like", "ilike", "between",
                                 "similar", "then", "else", "end", "when"});
    return false;
}

class Rewriter {
  public:
    Rewriter(std::string column, std::vector<std::string>& members, bool jsonb)
        : column_(std::move(column)), folded_(text::lower(column_)), members_(members), jsonb_(jsonb) {}

    // The expression with each pushed-down `column->>'name'` replaced by its staging column.
    // Sets `uses_column` when the column is still read some other way (or the text does not lex).
    std::string rewrite(const std::string& expr, bool& uses_column) {
        std::vector<Token> toks;
        if (!sql::tokenize(expr, toks)) {
            uses_column = true;
            return expr;
        }
        std::string out;
        size_t copied = 0;
        for (size_t i = 0; i < toks.size(); ++i) {
            const Token* before = i > 0 ? &toks[i - 1] : nullptr;
            const Token* after = i + 3 < toks.size() ? &toks[i + 3] : nullptr;
            const bool is_column = names_column(toks[i]);
            if (is_column && i + 2 < toks.size() && toks[i + 1].kind == Token::op && toks[i + 1].value == "->>" &&
                toks[i + 2].kind == Token::string && loose_before(before) && loose_after(after)) {
                out.append(expr, copied, toks[i].begin - copied);
                out += staged(member(toks[i + 2].value));
                copied = toks[i + 2].end;
                i += 2;
                continue;
            }
            const bool star = toks[i].kind == Token::op && toks[i].value == "*" &&
                              (!before || (before->kind == Token::punct && one_of(before->value, {".", "(", ","})));
            if (is_column || star ||  // x.* and a whole row read every column
                (toks[i].kind == Token::identifier && toks[i].value == "dgkafka_stage"))
                uses_column = true;
        }
        out.append(expr, copied, std::string::npos);
        return out;
    }

  private:
    std::string staged(size_t i) const {
        if (!jsonb_) return JsonPushdown::column(i);
        return "coalesce(" + JsonPushdown::column(i) + ", " + JsonPushdown::json_column(i) + " #>> '{}')";
    }

    bool names_column(const Token& t) const {
        return (t.kind == Token::identifier && t.value == folded_) ||
               (t.kind == Token::quoted_identifier && t.value == column_);
    }

    size_t member(const std::string& name) {
        const auto it = std::find(members_.begin(), members_.end(), name);
        if (it != members_.end()) return static_cast<size_t>(it - members_.begin());
        members_.push_back(name);
        return members_.size() - 1;
    }

    std::string column_;
    std::string folded_;  // as an unquoted name would be folded
    std::vector<std::string>& members_;
    bool jsonb_;
};
}  // namespace

std::string JsonPushdown::column(size_t i) { return quote_ident("_dgkafka_json_" + std::to_string(i + 1)); }

std::string JsonPushdown::json_column(size_t i) { return quote_ident("_dgkafka_jsonb_" + std::to_string(i + 1)); }

std::string JsonPushdown::stage_columns() const {
    std::string out;
    for (size_t i = 0; i < members.size(); ++i) {
        out += ", " + column(i) + " text";
        if (jsonb) out += ", " + json_column(i) + " jsonb";
    }
    return out;
}

JsonPushdown JsonPushdown::plan(const Config& job) {
    JsonPushdown p;
    const auto outputs = job.outputs();
    bool mapped = true;
    for (const auto* t : outputs) {
        Target target;
        for (const auto& m : t->mappings) target.expressions.push_back(m.expression);
        target.filter = t->filter;
        mapped = mapped && !t->mappings.empty();
        p.targets.push_back(std::move(target));
    }
    const auto loaded = job.loaded_columns();
    const bool jsonb = formats::jsonb_input(job);
    if (!json_documents(job.format) || loaded.size() != 1 || !mapped ||
        (!jsonb && text::lower(text::trim(loaded[0]->type)) != "json"))
        return p;

    bool uses_column = false;
    std::vector<std::string> members;
    Rewriter r(loaded[0]->name, members, jsonb);
    std::vector<Target> rewritten;
    for (const auto& t : p.targets) {
        Target out;
        for (const auto& e : t.expressions) out.expressions.push_back(r.rewrite(e, uses_column));
        out.filter = t.filter.empty() ? t.filter : r.rewrite(t.filter, uses_column);
        rewritten.push_back(std::move(out));
    }
    // jsonb read anyway: PostgreSQL's ->> on it costs less than staging the members.
    if (members.empty() || (jsonb && uses_column)) return p;
    p.members = std::move(members);
    p.targets = std::move(rewritten);
    p.document_needed = uses_column;
    p.jsonb = jsonb;
    return p;
}

}  // namespace dgkafka::load
