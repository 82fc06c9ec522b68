package org.longform.engine.token;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.io.ModelFormatException;

class TokenizerTest {
    static final String STORY =
            "The lighthouse keeper had not spoken to anyone in eleven winters. Each night he climbed"
                    + " the iron stairs, trimmed the wick, and wrote one sentence in a ledger that nobody read. On the night"
                    + " the ship appeared, the sentence he wrote was a question.";
    static final String CONTINUATION =
            " He asked the sea whether it remembered him, and the sea, for once, did not answer with waves.";

    /** Corpus-like prose with the characters novels actually contain, plus some that split across tokens. */
    static final String UNICODE_PROSE = """
            “Wait—” she said, and the café’s neon sign flickered: naïve, façade, Zürich, São Paulo.
            He shrugged… ‘It’s fine,’ he lied; the señor’s crème brûlée had gone cold.

            Chapter XII — Ødegaard’s ledger: 3½ pages, 42°C, £17, €30, ¥500.
            The child wrote 🌊🚢🕯️ and then 👩‍👧 beside a line of 東京の夜は静かだった and 안녕하세요.
            Greek: Ωμέγα; Russian: Пётр шёл домой. Math: ∀x ∈ ℝ, x² ≥ 0.\t(tab) and   triple spaces.
            Lines end with CRLF here\r
            and so on.""";

    static Tokenizer tokenizer;

    static Path tokenizerPath() {
        // Maven runs engine tests from engine/; an IDE may run them from the repository root.
        for (String p : new String[] {"../assets/tokenizer/tokenizer.json", "assets/tokenizer/tokenizer.json"}) {
            Path path = Path.of(p);
            if (Files.isRegularFile(path)) {
                return path;
            }
        }
        throw new IllegalStateException(
                "assets/tokenizer/tokenizer.json not found from " + Path.of("").toAbsolutePath());
    }

    @BeforeAll
    static void load() {
        tokenizer = Tokenizer.load(tokenizerPath());
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    static int[] fixtureIds(String caseName, String field) throws IOException {
        JsonNode root = new ObjectMapper()
                .readTree(TokenizerTest.class.getResourceAsStream("/fixtures/tiny-mpt-4h.expected.json"));
        for (JsonNode c : root.get("cases")) {
            if (c.get("name").asText().equals(caseName)) {
                JsonNode arr = c.get(field);
                int[] ids = new int[arr.size()];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = arr.get(i).asInt();
                }
                return ids;
            }
        }
        throw new IllegalStateException("no case " + caseName);
    }

    @Test
    void encodesStoryPromptExactlyLikeReference() throws IOException {
        assertArrayEquals(fixtureIds("prompt", "prompt_ids"), tokenizer.encode(STORY));
        assertArrayEquals(fixtureIds("decode", "fed_one_by_one"), tokenizer.encode(CONTINUATION));
        assertEquals(STORY, tokenizer.decode(fixtureIds("prompt", "prompt_ids")));
    }

    @Test
    void vocabularyAndSpecialTokens() {
        assertEquals(0, tokenizer.eosId());
        assertEquals("<|endoftext|>", tokenizer.tokenText(0));
        // NeoX has 50277 ids; this tokenizer.json adds four chat tokens. The model's embedding has 50432 rows.
        assertTrue(tokenizer.vocabSize() >= 50277 && tokenizer.vocabSize() <= 50432, "" + tokenizer.vocabSize());
        assertEquals("The", tokenizer.tokenText(510));
        assertEquals("Ġthe", tokenizer.tokenText(253));
        // Special tokens are kept, not skipped, and not added by encode.
        assertEquals("<|endoftext|>", tokenizer.decode(new int[] {0}));
        assertArrayEquals(new int[] {0}, tokenizer.encode("<|endoftext|>"));
        assertEquals(0, tokenizer.encode("").length);
    }

    @Test
    void decodeInvertsEncodeForUnicodeProse() {
        int[] ids = tokenizer.encode(UNICODE_PROSE);
        assertEquals(UNICODE_PROSE, tokenizer.decode(ids));
        // No "clean up tokenization spaces" rewriting of " ," or " 's".
        String spaced = "Hello , world . It 's a ' quote ' ; isn 't it ?";
        assertEquals(spaced, tokenizer.decode(tokenizer.encode(spaced)));
    }

    @Test
    void encodeNormalizesToNfcLikeTheReference() {
        // The tokenizer's normalizer is NFC, so a decomposed accent comes back composed.
        String decomposed = "cafe\u0301";
        String composed = Normalizer.normalize(decomposed, Normalizer.Form.NFC);
        assertArrayEquals(tokenizer.encode(composed), tokenizer.encode(decomposed));
        assertEquals(composed, tokenizer.decode(tokenizer.encode(decomposed)));
    }

    @Test
    void tokenBytesConcatenateToDecodedText() {
        int[] ids = tokenizer.encode(UNICODE_PROSE);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            bytes.writeBytes(tokenizer.tokenBytes(id));
        }
        assertEquals(UNICODE_PROSE, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void millionCharacterTextIsNotTruncated() {
        // Novel-like density (about 4 characters a token): prose words, dialogue punctuation, numbers.
        String[] words = (STORY + CONTINUATION).split(" ");
        String[] marks = {", ", ". ", "; ", "! ", "? ", "—", " “", "” ", " (", ") "};
        SplittableRandom rnd = new SplittableRandom(7);
        StringBuilder sb = new StringBuilder(1_000_100);
        while (sb.length() < 1_000_000) {
            sb.append(words[rnd.nextInt(words.length)]);
            int r = rnd.nextInt(10);
            sb.append(r < 6 ? " " : r < 9 ? marks[rnd.nextInt(marks.length)] : " " + rnd.nextInt(1000) + " ");
        }
        String text = sb.substring(0, 1_000_000);
        int[] ids = tokenizer.encode(text);
        assertTrue(ids.length > 200_000, "only " + ids.length + " tokens: truncated?");
        assertEquals(text, tokenizer.decode(ids));
    }

    @Test
    void missingOrBrokenFilesGiveModelFormatException(@TempDir Path dir) throws IOException {
        ModelFormatException missing =
                assertThrows(ModelFormatException.class, () -> Tokenizer.load(dir.resolve("nope.json")));
        assertTrue(
                missing.getMessage().contains("nope.json")
                        && missing.getMessage().contains("not found"),
                missing.getMessage());

        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"model\": {\"vocab\": ");
        ModelFormatException invalid = assertThrows(ModelFormatException.class, () -> Tokenizer.load(broken));
        assertTrue(invalid.getMessage().contains("not valid JSON"), invalid.getMessage());

        Path noVocab = dir.resolve("novocab.json");
        Files.writeString(noVocab, "{\"version\": \"1.0\"}");
        assertThrows(ModelFormatException.class, () -> Tokenizer.load(noVocab));

        Path badModel = dir.resolve("badmodel.json");
        Files.writeString(badModel, "{\"model\": {\"type\": \"Nonsense\", \"vocab\": {\"a\": 0}}}");
        assertThrows(ModelFormatException.class, () -> Tokenizer.load(badModel));

        assertThrows(ModelFormatException.class, () -> Tokenizer.load(dir));
    }

    @Test
    void useAfterCloseIsRejected() {
        Tokenizer t = Tokenizer.load(tokenizerPath());
        t.close();
        t.close();
        assertThrows(IllegalStateException.class, () -> t.encode("x"));
    }
}
