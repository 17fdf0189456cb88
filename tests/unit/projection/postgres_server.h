// PostgresServer: a throwaway PostgreSQL 15 for tests, started on first use
// on 127.0.0.1 and a free port, from Debian's binaries (TOOLING.md recipe:
// initdb and pg_ctl refuse root, so as root they run as `postgres` through
// runuser on a data dir under a temp dir owned by it), stopped (immediate)
// and removed when the test program ends. INPLAY_PG_BIN overrides the
// binaries' directory (/usr/lib/postgresql/15/bin).
//
// Each test takes its own database (fresh_database()). When the binaries are
// missing, available() is false with why(): tests skip, except under CI=true
// where they fail (a skipped test in CI is a test that did not run). Binaries
// that are there but do not start a server fail the test everywhere
// (broken()).
// Test-thread only.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <pwd.h>

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace inplay::testing {

class PostgresServer {
 public:
  // The one server of this test program, started on first call.
  // Its destructor, at exit, stops the server.
  static PostgresServer& get() {
    static PostgresServer server;
    return server;
  }

  bool available() const { return why_.empty(); }
  bool broken() const { return broken_; }
  const std::string& why() const { return why_; }

  std::string dsn(const std::string& database) const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + database;
  }
  uint16_t port() const { return port_; }

  // A new empty database; its name.
  std::string fresh_database() {
    static std::atomic<int> n{0};
    std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(n++);
    admin("CREATE DATABASE " + name);
    return name;
  }
  void drop_database(const std::string& name) { admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); }

  // Runs one statement on the `postgres` database; false (and a test failure) on error.
  bool admin(const std::string& sql) {
    PGconn* c = PQconnectdb(dsn("postgres").c_str());
    PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);  // "does not exist, skipping"
    bool ok = PQstatus(c) == CONNECTION_OK;
    if (ok) {
      PGresult* r = PQexec(c, sql.c_str());
      ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
      PQclear(r);
    }
    if (!ok) ADD_FAILURE() << sql << ": " << PQerrorMessage(c);
    PQfinish(c);
    return ok;
  }

  ~PostgresServer() { stop(); }

 private:
  PostgresServer() {
    const char* env = std::getenv("INPLAY_PG_BIN");
    bin_ = env ? env : "/usr/lib/postgresql/15/bin";
    if (!std::filesystem::exists(bin_ / "initdb") || !std::filesystem::exists(bin_ / "pg_ctl")) {
      why_ = "no initdb/pg_ctl in " + bin_.string() + " (scripts/setup.sh installs postgresql-15)";
      return;
    }
    as_postgres_ = ::geteuid() == 0;
    if (as_postgres_ && !::getpwnam("postgres")) {
      why_ = "running as root and there is no postgres user";
      return;
    }
    char tmpl[] = "/tmp/inplay_pg_XXXXXX";
    if (!::mkdtemp(tmpl)) {
      why_ = "mkdtemp failed";
      broken_ = true;
      return;
    }
    dir_ = tmpl;
    port_ = free_port();
    const std::string data = (dir_ / "data").string(), log = (dir_ / "server.log").string();
    const bool ok = (!as_postgres_ || shell("chown postgres " + dir_.string())) &&
                    shell(command("initdb") + " -D " + data + " -A trust -U postgres --no-sync --no-locale -E UTF8 > " +
                          (dir_ / "initdb.log").string() + " 2>&1") &&
                    shell(command("pg_ctl") + " -D " + data + " -l " + log + " -w -o \"-p " + std::to_string(port_) +
                          " -k " + dir_.string() + " -c listen_addresses=127.0.0.1 -c fsync=off\" start > /dev/null");
    if (!ok) {
      why_ = "the test server did not start; see " + dir_.string();
      broken_ = true;
      return;
    }
    started_ = true;
  }

  void stop() {
    if (!started_) return;
    started_ = false;
    shell(command("pg_ctl") + " -D " + (dir_ / "data").string() + " -m immediate -w stop > /dev/null 2>&1");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string command(const char* tool) const {
    const std::string path = (bin_ / tool).string();
    return as_postgres_ ? "runuser -u postgres -- " + path : path;
  }

  static bool shell(const std::string& cmd) { return std::system(cmd.c_str()) == 0; }

  static uint16_t free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
  }

  std::filesystem::path bin_, dir_;
  std::string why_;
  bool as_postgres_ = false;
  bool broken_ = false;
  bool started_ = false;
  uint16_t port_ = 0;
};

}  // namespace inplay::testing
