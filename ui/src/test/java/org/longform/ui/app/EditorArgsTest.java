package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.cli.Cli;

/** The launcher's own bad input: unknown words, --model, and no display, each one line. */
class EditorArgsTest {
    static final List<String> COMMANDS = Cli.commandNames();

    static String refusal(String... args) {
        return assertThrows(EditorArgs.BadArgs.class, () -> EditorArgs.parse(List.of(args), COMMANDS))
                .getMessage();
    }

    @Test
    void unknownCommandIsNamedAndTheCommandsListed() {
        String m = refusal("frobnicate");
        assertTrue(m.startsWith("unknown command 'frobnicate'"), m);
        for (String c : List.of("logits", "continue", "serve", "doctor", "replay")) assertTrue(m.contains(c), m);
        assertFalse(m.contains("\n"), m);
    }

    @Test
    void unknownOptionIsRefused() {
        assertTrue(refusal("--frob").contains("unknown option '--frob'"));
        assertTrue(refusal("--open").contains("--open needs a path"));
    }

    @Test
    void modelAndStoryAreBothKept(@TempDir Path tmp) throws IOException {
        Path model = Files.createDirectories(tmp.resolve("m")), story = tmp.resolve("s.longform");
        EditorArgs a = EditorArgs.parse(List.of("--model", model.toString(), "--open", story.toString()), COMMANDS);
        assertEquals(model, a.model());
        assertEquals(story, a.story());
        assertEquals(
                story, EditorArgs.parse(List.of(story.toString()), COMMANDS).story(), "a bare file is a story");
        assertEquals(
                Path.of("chapter.txt"),
                EditorArgs.parse(List.of("chapter.txt"), COMMANDS).story());
    }

    @Test
    void missingModelIsRefusedBeforeTheEditorStarts(@TempDir Path tmp) {
        String m = refusal("--model", tmp.resolve("nope").toString());
        assertTrue(m.contains("nope") && m.contains("no such model"), m);
    }

    @Test
    void noDisplayIsOneLineNamingTheHeadlessCommands() {
        assertNull(EditorArgs.noDisplay(Map.of("DISPLAY", ":0"), "Linux", null));
        assertNull(EditorArgs.noDisplay(Map.of("WAYLAND_DISPLAY", "wayland-0"), "Linux", null));
        assertNull(EditorArgs.noDisplay(Map.of(), "Mac OS X", null));
        assertNull(EditorArgs.noDisplay(Map.of(), "Linux", "Monocle"));
        String why = EditorArgs.noDisplay(Map.of(), "Linux", null);
        assertNotNull(why);
        String line = EditorArgs.needsDisplay(why, COMMANDS);
        assertTrue(line.startsWith("the editor needs a display") && line.contains("serve"), line);
        assertFalse(line.contains("\n"), line);
    }

    @Test
    void aWindowSystemThatWillNotStartIsOneLine() {
        // what JavaFX 25 threw under Xvfb on a Debian without GTK 3 (a stack trace before)
        var gtk = new UnsupportedOperationException("Unable to load glass GTK library.");
        String line = EditorArgs.needsDisplay(EditorArgs.windowSystemFailure(gtk), COMMANDS);
        assertTrue(line.contains("Unable to load glass GTK library") && line.contains("libgtk-3-0"), line);
        assertFalse(line.contains("\n"), line);
        var dead = new RuntimeException("boom", new UnsupportedOperationException("Unable to open DISPLAY"));
        assertEquals("Unable to open DISPLAY", EditorArgs.windowSystemFailure(dead));
        assertNull(EditorArgs.windowSystemFailure(new IllegalStateException("a bug of ours")));
    }
}
