package io.gantry.operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.spi.Resources;
import io.gantry.spi.WorkloadSpec;
import io.gantry.web.BadRequestException;
import io.gantry.web.FieldProblem;
import org.junit.jupiter.api.Test;

class WorkloadRequestsTest {

    @Test
    void listsEveryFieldOutOfBounds() {
        WorkloadSpec spec = new WorkloadSpec("nginx:1.27", null, null, null, null, new Resources(-500L, -1L), -2,
                null, null, null);

        BadRequestException e = catchThrowableOfType(BadRequestException.class, () -> WorkloadRequests.checkSpec(spec));

        assertThat(e.errors()).containsExactly(
                new FieldProblem("spec.resources.cpuMillis", "must not be negative"),
                new FieldProblem("spec.resources.memoryBytes", "must not be negative"),
                new FieldProblem("spec.replicas", "must be between 0 and 10000"));
    }

    @Test
    void rejectsMoreReplicasThanAScaleMayAskFor() {
        BadRequestException e = catchThrowableOfType(BadRequestException.class,
                () -> WorkloadRequests.checkSpec(WorkloadSpec.of("nginx:1.27", 10_001)));

        assertThat(e.errors()).extracting(FieldProblem::field).containsExactly("spec.replicas");
    }

    @Test
    void acceptsZeroAndUnsetLimits() {
        assertThatCode(() -> WorkloadRequests.checkSpec(new WorkloadSpec("nginx:1.27", null, null, null, null,
                new Resources(0L, 0L), 0, null, null, null))).doesNotThrowAnyException();
        assertThatCode(() -> WorkloadRequests.checkSpec(WorkloadSpec.of("nginx:1.27", null))).doesNotThrowAnyException();
    }
}
