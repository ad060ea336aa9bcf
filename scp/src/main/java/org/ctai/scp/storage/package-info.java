/**
 * The node's database ({@link org.ctai.scp.storage.Database}: embedded or external PostgreSQL, Flyway migrations,
 * HikariCP; the embedded server supervised and restarted if it dies; the data folder's id checked against the
 * database's at start), this node's heartbeat row for the cluster's health view
 * ({@link org.ctai.scp.storage.NodeHeartbeat}) and retention ({@link org.ctai.scp.storage.Cleaner}).
 */
package org.ctai.scp.storage;
