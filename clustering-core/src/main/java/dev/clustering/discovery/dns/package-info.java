/**
 * The {@code dns} (A/AAAA polling, nessie_cluster) and {@code dns-srv} (SRV records, caravan)
 * strategies, and the dnsjava resolver they ask through a small seam.
 */
package dev.clustering.discovery.dns;
