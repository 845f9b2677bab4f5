/**
 * The Marathon engine adapter: {@link io.gantry.marathon.MarathonEngineAdapter} (kind {@code marathon}).
 *
 * <p>Registration ({@link io.gantry.spi.EngineConnection}):
 * <ul>
 *   <li>{@code endpoint}: one Marathon URL, or several comma-separated for an HA cluster
 *       ({@code http://m1:8080,http://m2:8080}); a DC/OS path prefix ({@code https://dcos/service/marathon})
 *       works as a base URL;</li>
 *   <li>credentials: {@code username} + {@code password} (HTTP basic), or {@code token} (DC/OS,
 *       {@code Authorization: token=...}); {@code caCert} (PEM) to trust a private CA;</li>
 *   <li>options: {@code mesosUrl} (Mesos master: nodes, DAEMON recognition, sandbox logs, exec in app tasks
 *       through the agents' nested containers) and
 *       {@code force} ({@code true}: retry a change refused by a deployment lock with {@code ?force=true}).</li>
 * </ul>
 *
 * <p>Only the mapping classes see both Marathon's JSON and the model: {@code MarathonAppReader},
 * {@code MarathonPodReader}, {@code MarathonVersionReader}, {@code MarathonClusterReader} and
 * {@code MarathonEventReader} read (engine to model),
 * {@code MarathonStatusRules} judges status, {@code MarathonAppWriter} writes (model to app JSON) and
 * {@code MarathonFieldErrors} reads a write's refusal; {@code MarathonIds} maps app ids to namespace and name;
 * {@code MarathonSecretRefs} maps an app's DC/OS secret references both ways (Marathon keeps no secret values, so
 * the adapter offers no {@code SECRETS} or {@code CONFIGS}). {@code MarathonAppListing} reads {@code /v2/apps} as a
 * stream, so that a Marathon of 100,000 apps is listed in batches with a deadline on silence, not on the whole.
 * {@code MesosCalls} alone reads and writes the Mesos agent's messages of an exec session.
 */
package io.gantry.marathon;
