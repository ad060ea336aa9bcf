/**
 * The node's database ({@link org.ctai.scp.storage.Database}: embedded or external PostgreSQL, Flyway migrations,
 * HikariCP) and retention ({@link org.ctai.scp.storage.Cleaner}).
 */
package org.ctai.scp.storage;
