#include "util/errors.hpp"

#include "util/text.hpp"

namespace dgkafka {

Error::Error(Exit code, std::vector<std::string> problems)
    : std::runtime_error(text::join(problems, "\n")), code_(code), problems_(std::move(problems)) {}

const std::vector<ExitCode>& exit_codes() {
    static const std::vector<ExitCode> codes = {
        {Exit::ok,
         "done (or stopped by a signal after committing the batch in flight, or while waiting at start "
         "for a server)"},
        {Exit::failure, "unexpected internal error"},
        {Exit::usage, "bad command line"},
        {Exit::config, "bad configuration (file, or a mismatch with the output table)"},
        {Exit::database,
         "database unreachable or a statement failed; also a stop signal while it was unreachable "
         "(the batch in flight rolled back, the summary says where the job resumes)"},
        {Exit::kafka, "Kafka unreachable or a request refused"},
        {Exit::data, "a message could not be loaded (named by topic, partition and offset)"},
        {Exit::not_set_up, "`dgkafka setup` has not been run for this config"},
        {Exit::no_topic, "the topic does not exist"},
        {Exit::data_loss,
         "retention deleted messages before they were loaded (named by topic, partition, stored "
         "offset, log start offset and count), or the stored offset is past the log's end (the "
         "topic created again); nothing past the gap was loaded; also a run that skipped such a "
         "gap with on_data_loss = \"skip\", and `dgkafka check` when a stored offset's partition "
         "is not in Kafka (the topic created again with fewer partitions)"},
        {Exit::lagging, "`dgkafka check -max-lag N`: a partition is more than N messages behind"},
    };
    return codes;
}

}  // namespace dgkafka
