package io.gantry.revision;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** @param keep how many revisions of each workload are kept; older ones are pruned as new ones are recorded */
@ConfigurationProperties("gantry.revisions")
record RevisionSettings(Integer keep) {
    RevisionSettings {
        keep = keep == null || keep < 1 ? 50 : keep;
    }
}
