#pragma once
// Reads the top-level members of a JSON text the way PostgreSQL's `json ->> 'name'` does, so that
// a mapping like (jdata->>'site_id')::int can be given the member's text by dgkafka instead of
// making the database parse the document once per operator:
//   - a string gives its unescaped contents; a number, true or false its text as written; an
//     object or array its source text verbatim; null, a missing member, or a text that is not
//     an object gives SQL NULL; of repeated names the last wins; names match after unescaping;
//   - PostgreSQL refuses, and so does read(), a text that is not JSON, or that has anywhere a
//     \u0000 escape or a UTF-16 surrogate escape out of pair (it unescapes every string).
// UTF-8 validity is checked elsewhere.
#include <string>
#include <string_view>
#include <vector>

namespace dgkafka::json {

// Is the text one well-formed JSON value (RFC 8259), as PostgreSQL's json input accepts it? A
// syntax check only: no DOM, no number conversion; nesting depth limited only by memory.
bool valid(std::string_view text);

// Does PostgreSQL's numeric type take this JSON number (as jsonb input must)? Its limits: at most
// 16383 digits after the point, fewer than 131072 before it (after the exponent is applied).
bool numeric_fits(std::string_view number);

// Is jsonb's text for this value (not a string, as written in the document) the text itself?
// jsonb stores numbers as numeric (exponents expanded, -0 unsigned) and rewrites containers.
bool jsonb_text_is_literal(std::string_view scalar);

struct Member {
    enum Kind { absent, string, raw } kind = absent;  // absent: SQL NULL
    std::string_view text;  // string: the contents between the quotes, still escaped; raw: as written
    bool escaped = false;   // string with a backslash in it
};

class MemberReader {
  public:
    // names: distinct. jsonb: also refuse, as jsonb input does, a document with a number numeric
    // cannot hold.
    explicit MemberReader(std::vector<std::string> names, bool jsonb = false);

    // False with `reason` when PostgreSQL would refuse the text.
    bool read(std::string_view text, std::string& reason);
    const std::vector<Member>& members() const { return members_; }  // in the order of `names`

  private:
    std::vector<std::string> names_;
    bool jsonb_;
    std::vector<Member> members_;
    size_t next_ = 0;  // where the next member's name is looked for first
    std::string scratch_;
};

// Appends a JSON string's contents (between its quotes, accepted by MemberReader) unescaped, as UTF-8.
void append_unescaped(std::string& out, std::string_view contents);

}  // namespace dgkafka::json
