/**
 * Spring Boot auto-configuration: typed {@code cluster.*} properties, the node as a lifecycle bean,
 * membership events published as application events, and start-up failure analysis.
 */
package dev.clustering.autoconfigure;
