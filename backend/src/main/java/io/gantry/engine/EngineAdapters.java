package io.gantry.engine;

import io.gantry.spi.EngineAdapter;
import io.gantry.web.BadRequestException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/** The adapters present, by kind. */
@Component
public class EngineAdapters {
    private final Map<String, EngineAdapter> byKind;

    EngineAdapters(List<EngineAdapter> adapters) {
        this.byKind = adapters.stream().collect(Collectors.toMap(EngineAdapter::kind, Function.identity(),
                (first, second) -> first, TreeMap::new));
    }

    /** @throws BadRequestException naming {@code field} when no adapter serves this kind */
    public EngineAdapter forKind(String kind, String field) {
        EngineAdapter adapter = kind == null ? null : byKind.get(kind);
        if (adapter == null) {
            throw BadRequestException.field(field, "unknown engine kind '" + kind + "'; known: " + byKind.keySet());
        }
        return adapter;
    }

    public boolean knows(String kind) {
        return byKind.containsKey(kind);
    }

    public Set<String> kinds() {
        return byKind.keySet();
    }
}
