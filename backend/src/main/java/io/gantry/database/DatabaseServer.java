package io.gantry.database;

/** What the connection pool connects to: the external PostgreSQL of {@code gantry.db.*}, or the embedded one. */
interface DatabaseServer extends AutoCloseable {
    String url();

    String user();

    String password();

    /** Stops what this server started; called after the pool is closed. */
    @Override
    default void close() {
    }

    /** A PostgreSQL someone else runs: nothing to start or stop. */
    record External(String url, String user, String password) implements DatabaseServer {
        @Override
        public String toString() {
            return "External[" + url + " as " + user + "]";
        }
    }
}
