package io.gantry.config;

import java.util.List;

/** The answer of {@code GET /api/v1/configs}: every object that matched, within the caller's grants (not paged). */
record ConfigList(List<ConfigView> items) {
}
