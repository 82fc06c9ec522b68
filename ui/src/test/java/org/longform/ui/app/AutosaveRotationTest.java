package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;

/** The autosave history's rotation never deletes the only good copy, whatever the clock does. */
class AutosaveRotationTest {
    static final Instant T = Instant.parse("2026-10-25T01:30:00Z");

    @TempDir
    Path config;

    @AfterEach
    void spacing() {
        AutosaveStore.VERSION_SPACING_SECONDS = 60;
    }

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        Instant now = T;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static List<String> texts(AutosaveStore store, String id) throws Exception {
        List<String> t = new ArrayList<>();
        for (Path p : store.versions(id)) t.add(StoryFile.read(p).text());
        return t;
    }

    /**
     * Two saves in the same millisecond wrote the same version name: the second replaced the first
     * and then, taking it for the older version that one minute merges away, deleted it: no version left.
     */
    @Test
    void savesInTheSameMillisecondDeletedTheOnlyVersion() throws Exception {
        AutosaveStore store = new AutosaveStore(config, ProcessHandle.current().pid(), Clock.fixed(T, ZoneOffset.UTC));
        StoryData s = StoryData.blank("Fast").withText("first");
        store.save(s, null);
        s = s.withText("second");
        store.save(s, null);
        List<Path> versions = store.versions(s.id());
        assertEquals(1, versions.size(), "one version for saves within a minute");
        assertEquals("second", StoryFile.read(versions.getFirst()).text());
    }

    /** The clock goes back an hour (daylight saving ends): the newest save sorts first by name, and is kept. */
    @Test
    void aClockGoingBackKeepsTheNewestVersion() throws Exception {
        MovableClock clock = new MovableClock();
        AutosaveStore store = new AutosaveStore(config, ProcessHandle.current().pid(), clock);
        StoryData s = StoryData.blank("Night");
        for (int i = 0; i < AutosaveStore.KEEP_VERSIONS + 3; i++) {
            clock.now = T.plus(Duration.ofMinutes(2L * i));
            s = s.withText("edit " + i);
            store.save(s, null);
        }
        clock.now = T.minus(Duration.ofHours(1));
        s = s.withText("after the clock went back");
        store.save(s, null);
        List<String> kept = texts(store, s.id());
        assertEquals(AutosaveStore.KEEP_VERSIONS, kept.size());
        assertTrue(kept.contains("after the clock went back"), "the newest save was rotated away: " + kept);
    }
}
