package io.gantry.spi;

/** A running watch or log follow. Closing it stops delivery and releases the connection; idempotent. */
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
