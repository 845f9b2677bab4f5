package io.gantry.agent.task;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Protobuf messages kept as JSON files, one per object, under {@code <dir>/<namespace>/<id>.json}.
 * Writes go to a temporary file renamed over the old one, so a crash leaves either version, never half.
 */
final class StateFiles<T extends Message> {
    private static final Logger LOG = LoggerFactory.getLogger(StateFiles.class);

    private final Path dir;
    private final Supplier<Message.Builder> builders;

    StateFiles(Path dir, Supplier<Message.Builder> builders) {
        this.dir = dir;
        this.builders = builders;
    }

    void write(String namespace, String id, T message) {
        Path target = file(namespace, id);
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(id + ".json.tmp");
            Files.writeString(tmp, JsonFormat.printer().print(message), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    void delete(String namespace, String id) {
        try {
            Files.deleteIfExists(file(namespace, id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete state of " + namespace + "/" + id, e);
        }
    }

    @SuppressWarnings("unchecked")
    List<T> readAll() {
        List<T> all = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return all;
        }
        try (Stream<Path> files = Files.walk(dir, 2)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                Message.Builder builder = builders.get();
                try {
                    JsonFormat.parser().ignoringUnknownFields().merge(Files.readString(f), builder);
                    all.add((T) builder.build());
                } catch (InvalidProtocolBufferException e) {
                    // one unreadable file must not keep the agent from starting with the others
                    LOG.warn("ignoring unreadable state file {}: {}", f, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read state under " + dir, e);
        }
        return all;
    }

    private Path file(String namespace, String id) {
        return dir.resolve(namespace).resolve(id + ".json");
    }
}
