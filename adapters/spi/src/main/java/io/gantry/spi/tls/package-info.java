/**
 * TLS material of an engine registration: PEM certificates, CA bundles and private keys read with Bouncy
 * Castle's {@code PEMParser}, turned into JDK trust and key managers. The one place the adapters read PEM;
 * the only package of spi that may use a library other than the JDK for it (see the backend's
 * ArchitectureTest).
 */
package io.gantry.spi.tls;
