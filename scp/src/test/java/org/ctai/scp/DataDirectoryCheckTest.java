package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose data.dir is not the folder the other nodes on its database use is refused at start, with a message
 * naming the folder and saying what to do, before it touches the spool; the right folder always starts.
 */
@Timeout(120)
class DataDirectoryCheckTest {
    @TempDir
    Path tmp;

    @Test
    void aNodeOnAnotherDataFolderThanTheDatabasesIsRefusedAtStart() throws Exception {
        String db = TestDatabase.freshDatabase();
        Path shared = tmp.resolve("shared");
        try (Node first = TestNodes.startOn(db, shared)) {
            assertThat(shared.resolve("data-dir.id")).isRegularFile();
            // a second node on the same folder starts beside it
            try (Node second = TestNodes.startOn(db, shared)) {
                assertThat(second.owner()).isNotEqualTo(first.owner());
            }
        }
        String id = Files.readString(shared.resolve("data-dir.id")).trim();

        Path unmounted = tmp.resolve("not-mounted");
        assertThatThrownBy(() -> TestNodes.startOn(db, unmounted))
                .isInstanceOf(NodeException.class)
                .hasMessageContaining("data.dir " + unmounted + " is not the data folder of the other nodes on this database")
                .hasMessageContaining(id)
                .hasMessageContaining("Mount the shared folder at data.dir");
        assertThat(unmounted.resolve("data-dir.id")).as("the wrong folder is not marked").doesNotExist();

        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        String otherId = UUID.randomUUID().toString();
        Files.writeString(other.resolve("data-dir.id"), otherId + "\n");
        assertThatThrownBy(() -> TestNodes.startOn(db, other))
                .hasMessageContaining("(marked " + otherId + " in ").hasMessageContaining("(marked " + id + ")");

        try (Node again = TestNodes.startOn(db, shared)) {
            assertThat(Files.readString(shared.resolve("data-dir.id")).trim()).isEqualTo(id);
        }
    }

    @Test
    void aFolderMarkedBeforeItsDatabaseExistedGivesTheNewDatabaseItsId() throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        String id = UUID.randomUUID().toString();
        Files.writeString(data.resolve("data-dir.id"), id + "\n");
        String db = TestDatabase.freshDatabase();
        try (Node node = TestNodes.startOn(db, data)) {
            assertThat(TestNodes.strings(node.dataSource(), "SELECT data_dir_id::text FROM scp.installation")).containsExactly(id);
        }
    }
}
