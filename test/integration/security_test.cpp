// Secure connections to PostgreSQL: TLS with a throwaway CA made here, client certificates,
// host name verification, and passwords kept out of the config and out of every output.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;

namespace {

void shell(const std::string& cmd) { ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd; }

std::string read(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Turns TLS on in the sandbox server with certificates of a CA made for the occasion, and puts
// `hba_lines` first in pg_hba.conf. Undone at the end of the test.
class SecureServer : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = write_file(unique_name("tls") + ".keep", "");
        dir_ = dir_.substr(0, dir_.rfind('/')) + "/" + unique_name("pki");
        const std::string d = dir_;
        shell(
            "mkdir -p " + d + " && cd " + d +
            " && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=dgkafka-test-ca -keyout ca.key -out "
            "ca.crt 2>/dev/null"
            " && openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out server.csr 2>/dev/null"
            " && printf 'subjectAltName=DNS:localhost\\n' > san.ext"
            " && openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -extfile san.ext "
            "-out server.crt 2>/dev/null"
            " && openssl req -newkey rsa:2048 -nodes -subj /CN=tls_user -keyout client.key -out client.csr 2>/dev/null"
            " && openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -out client.crt "
            "2>/dev/null"
            " && chmod 600 client.key");
        const std::string data = sandbox().at("DGKAFKA_PGDATA");
        for (const char* f : {"ca.crt", "server.crt", "server.key"})
            shell("cp " + d + "/" + f + " " + data + "/test_" + f + " && chmod 600 " + data + "/test_" + f +
                  (getuid() == 0 ? " && chown postgres " + data + "/test_" + f : ""));
        hba_ = data + "/pg_hba.conf";
        original_hba_ = read(hba_);
        std::ofstream(hba_) << "hostssl all tls_user 127.0.0.1/32 cert\n"
                               "host all pw_user 127.0.0.1/32 scram-sha-256\n"
                            << original_hba_;
        sql("ALTER SYSTEM SET ssl = on");
        sql("ALTER SYSTEM SET ssl_cert_file = 'test_server.crt'");
        sql("ALTER SYSTEM SET ssl_key_file = 'test_server.key'");
        sql("ALTER SYSTEM SET ssl_ca_file = 'test_ca.crt'");
        sql("SELECT pg_reload_conf()");
        for (const char* role : {"tls_user", "pw_user"})  // kept between tests: they own tables
            sql(std::string("DO $$ BEGIN CREATE ROLE ") + role +
                " LOGIN SUPERUSER; "
                "EXCEPTION WHEN duplicate_object THEN NULL; END $$");
        sql("SET password_encryption = 'scram-sha-256'; ALTER ROLE pw_user PASSWORD 'Corr3ct-Horse'");
    }
    void TearDown() override {
        std::ofstream(hba_) << original_hba_;
        sql("ALTER SYSTEM RESET ssl");
        sql("SELECT pg_reload_conf()");
    }

    // A job connecting over TCP with the given [dgkafka] settings.
    std::string job_with(const Job& job, const std::string& dgkafka_settings) {
        std::string toml = job.toml();
        toml.replace(0, std::string("[dgkafka]\n").size(),
                     "[dgkafka]\ndatabase = \"dgkafka\"\nport = " + sandbox().at("PGPORT") + "\n" + dgkafka_settings);
        return write_file(job.table + "_" + unique_name("cfg") + ".toml", toml);
    }

    // [dgkafka] settings for tls_user with its client certificate, checking the server is `host`.
    std::string verify_full_as(const std::string& host) const {
        return "host = \"" + host + "\"\nuser = \"tls_user\"\nsslmode = \"verify-full\"\nsslrootcert = \"" + dir_ +
               "/ca.crt\"\nsslcert = \"" + dir_ + "/client.crt\"\nsslkey = \"" + dir_ +
               "/client.key\"\nconnect_timeout = 5\n";
    }

    std::string dir_, hba_, original_hba_;
};

}  // namespace

TEST_F(SecureServer, VerifyFullWithAClientCertificateConnects) {
    Job job("tls");
    job.columns = {{"id", "integer"}};
    const auto path = job_with(job, verify_full_as("localhost"));
    sql("CREATE TABLE \"" + job.table + "\" (id integer)");
    const auto r = run("dgkafka", {"setup", path});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("created: " + job.table + "_offset"), std::string::npos) << r.out;
}

TEST_F(SecureServer, VerifyFullRefusesAServerWhoseNameDoesNotMatch) {
    Job job("tlsname");
    job.columns = {{"id", "integer"}};
    // The certificate names localhost; 127.0.0.1 is the same server under another name.
    const auto path = job_with(job, verify_full_as("127.0.0.1"));
    const auto r = run("dgkafka", {"setup", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::database));
    EXPECT_NE(r.err.find("does not match host name \"127.0.0.1\""), std::string::npos) << r.err;
}

TEST_F(SecureServer, PasswordsComeFromAFileOrTheEnvironmentAndAreNeverShown) {
    Job job("pw");
    job.columns = {{"id", "integer"}};
    sql("CREATE TABLE \"" + job.table + "\" (id integer)");
    const auto good = write_file(unique_name("pw"), "Corr3ct-Horse\n");
    auto r =
        run("dgkafka",
            {"setup", job_with(job, "host = \"127.0.0.1\"\nuser = \"pw_user\"\npassword_file = \"" + good + "\"\n")});
    EXPECT_EQ(r.code, 0) << r.err;

    setenv("DGKAFKA_TEST_PW", "Corr3ct-Horse", 1);
    r = run("dgkafka",
            {"setup", job_with(job, "host = \"127.0.0.1\"\nuser = \"pw_user\"\npassword_env = \"DGKAFKA_TEST_PW\"\n")});
    EXPECT_EQ(r.code, 0) << r.err;

    setenv("DGKAFKA_TEST_PW", "Wr0ng-Battery-Staple", 1);
    r = run("dgkafka",
            {"setup", "-vv",
             job_with(job, "host = \"127.0.0.1\"\nuser = \"pw_user\"\npassword_env = \"DGKAFKA_TEST_PW\"\n")});
    unsetenv("DGKAFKA_TEST_PW");
    EXPECT_EQ(r.code, static_cast<int>(Exit::database));
    EXPECT_NE(r.err.find("password authentication failed"), std::string::npos) << r.err;
    EXPECT_EQ((r.out + r.err).find("Wr0ng-Battery-Staple"), std::string::npos);

    const auto in_config = job_with(job, "host = \"127.0.0.1\"\nuser = \"pw_user\"\npassword = \"Corr3ct-Horse\"\n");
    chmod(in_config.c_str(), 0644);
    r = run("dgkafka", {"setup", in_config});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("holds a database password and other users can read it"), std::string::npos) << r.err;
    EXPECT_EQ((r.out + r.err).find("Corr3ct-Horse"), std::string::npos);
}

// A load whose password stops working while it runs stops with exit 4 on its next connection,
// instead of retrying for ever as it does for a server that is down.
TEST_F(SecureServer, AFailedAuthenticationOnReconnectStopsTheLoad) {
    Job job("pwgone");
    job.columns = {{"id", "integer"}};
    sql("CREATE TABLE \"" + job.table + "\" (id integer)");
    create_topic(job.topic, 1);
    produce(job.topic, {{"1", {}, 0}, {"2", {}, 0}});
    const auto pw = write_file(unique_name("pw"), "Corr3ct-Horse\n");
    const auto path = job_with(job, "host = \"127.0.0.1\"\nuser = \"pw_user\"\npassword_file = \"" + pw + "\"\n");
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto app = unique_name("dgkafka_pwgone");
    setenv("PGAPPNAME", app.c_str(), 1);
    auto loader = spawn("dgkafka", {"load", path});  // streaming: a lost database is retried for ever
    unsetenv("PGAPPNAME");
    ASSERT_TRUE(
        wait_until([&] { return sql_count("SELECT count(*) FROM \"" + job.table + "\"") == 2 || loader.exited(); },
                   std::chrono::seconds(60)));
    ASSERT_FALSE(loader.exited()) << loader.wait().err;
    sql("ALTER ROLE pw_user PASSWORD 'Ch4nged-Meanwhile'");
    sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + app + "'");
    produce(job.topic, {{"3", {}, 0}});  // the next batch finds the connection gone
    const bool stopped = wait_until([&] { return loader.exited(); }, std::chrono::seconds(30));
    if (!stopped) kill(loader.pid, SIGKILL);
    const auto r = loader.wait();
    ASSERT_TRUE(stopped) << "still retrying: " << r.err;
    EXPECT_EQ(r.code, static_cast<int>(Exit::database)) << r.err;
    EXPECT_NE(r.err.find("no retry can fix this"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("Corr3ct-Horse"), std::string::npos);
}

// The manual's default: a config that names no sslmode (and no PGSSLMODE) never talks in
// plaintext. The sandbox server has no TLS outside SecureServer.
TEST(DefaultSslmode, IsRequireSoAServerWithoutTlsIsRefusedUnlessTheConfigSaysDisable) {
    Job job("sslmode");
    job.columns = {{"id", "integer"}};
    sql("CREATE TABLE \"" + job.table + "\" (id integer)");
    const std::string tcp = "[dgkafka]\nhost = \"127.0.0.1\"\nport = " + sandbox().at("PGPORT") + "\n";
    std::string toml = job.toml();
    toml.replace(0, std::string("[dgkafka]\n").size(), tcp);
    const auto plain = write_file(job.table + "_default.toml", toml);
    toml.replace(0, tcp.size(), tcp + "sslmode = \"disable\"\n");
    const auto disabled = write_file(job.table + "_disable.toml", toml);

    const char* env = std::getenv("PGSSLMODE");
    const std::string saved = env ? env : "";
    unsetenv("PGSSLMODE");
    auto r = run("dgkafka", {"setup", plain});
    EXPECT_EQ(r.code, static_cast<int>(Exit::database)) << r.out;
    EXPECT_NE(r.err.find("SSL"), std::string::npos) << r.err;
    // No retry can make the server speak TLS: load and check stop at once, saying what to set.
    create_topic(job.topic, 1);
    for (const std::string command : {"load", "check"}) {
        const auto started = std::chrono::steady_clock::now();
        r = run("dgkafka", {command, plain});
        const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        EXPECT_EQ(r.code, static_cast<int>(Exit::database)) << command << ": " << r.out << r.err;
        EXPECT_NE(r.err.find("set dgkafka.sslmode = \"disable\""), std::string::npos) << command << ": " << r.err;
        EXPECT_LT(took, 10.0) << command << " retried a server without TLS";
    }
    r = run("dgkafka", {"setup", disabled});
    EXPECT_EQ(r.code, 0) << r.err;
    setenv("PGSSLMODE", "disable", 1);  // libpq's environment comes before the manual's default
    r = run("dgkafka", {"setup", plain});
    EXPECT_EQ(r.code, 0) << r.err;
    if (env)
        setenv("PGSSLMODE", saved.c_str(), 1);
    else
        unsetenv("PGSSLMODE");
}
