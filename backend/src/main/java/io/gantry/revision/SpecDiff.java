package io.gantry.revision;

import io.gantry.compare.Comparison;
import java.util.List;

/**
 * What differs between two specs of one workload (API.md "Revision diff"): the spec rows of {@code /api/v1/compare},
 * values in the order {@code [from, to]}.
 *
 * @param differences how many rows are not {@code equal}
 */
public record SpecDiff(List<Comparison.Field> fields, int differences) {
    static SpecDiff of(List<Comparison.Field> fields) {
        return new SpecDiff(fields, (int) fields.stream().filter(f -> !f.equal()).count());
    }
}
