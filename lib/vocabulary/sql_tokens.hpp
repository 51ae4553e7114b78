#pragma once
// Splits a SQL expression into PostgreSQL's tokens, enough to recognise a few patterns in
// mapping expressions safely: string literals, quoted identifiers, comments and dollar quotes are
// single tokens, so nothing inside them is ever mistaken for code.
#include <string>
#include <string_view>
#include <vector>

namespace dgkafka::sql {

struct Token {
    enum Kind {
        identifier,         // unquoted; `value` is lower-cased (keywords are identifiers here)
        quoted_identifier,  // "..."; `value` is the name
        string,             // '...' (standard_conforming_strings); `value` is the contents
        other_literal,      // numbers, E'...', B'...', X'...', U&'...', $tag$...$tag$
        op,                 // operators, as PostgreSQL's lexer splits them; `value` is the text
        punct,              // ( ) [ ] , ; . : ::
    } kind;
    size_t begin = 0, end = 0;  // in the expression; comments and spaces lie between tokens
    std::string value;
};

// End of a run quoted by `q` ('...' or "..."), `open` being just after the opening quote, where
// a doubled `q` stands for one; npos if unterminated. Appends the decoded run to `value` if given.
size_t quoted_end(std::string_view text, size_t open, char q, std::string* value);

// False when the text does not lex (an unterminated literal or comment).
bool tokenize(std::string_view text, std::vector<Token>& out);

}  // namespace dgkafka::sql
