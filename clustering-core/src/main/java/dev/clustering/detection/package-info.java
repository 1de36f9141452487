/**
 * Failure detection: the phi-accrual detector that judges silent peers, and its settings.
 * Closed connections need no detector: the transport reports them at once.
 */
package dev.clustering.detection;
