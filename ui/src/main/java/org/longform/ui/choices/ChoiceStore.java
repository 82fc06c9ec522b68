package org.longform.ui.choices;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.longform.engine.gen.TokenChoice;
import org.longform.ui.story.StoryChoices;

/**
 * The model's choices for one story's generated text: per generation, its tokens with where each sits in the
 * text and the alternatives the model weighed. The story file keeps those of the newest tokens
 * ({@link #saved}, {@link #restore}; see {@link StoryChoices}).
 * Offsets follow every edit; an edit inside a generation drops its tokens from the edit on (their
 * alternatives no longer describe the text). A generation that continues exactly where one ended joins it,
 * so "regenerate from here" keeps the ids of everything before the chosen token. FX thread, except
 * {@link Recording#add}.
 */
public final class ChoiceStore {
    /** Alternatives asked per token. */
    public static final int TOP = 8;

    /**
     * Tokens kept at most (about half a kilobyte each): past it the oldest generations' choices go, so a long
     * session's memory stays bounded.
     */
    static final int MAX_TOKENS = 50_000;

    /** Text from {@code start} up to a regeneration's lead was written as {@code ids} (see StoryTokens.pin). */
    public record Pin(int start, int[] ids) {}

    /** One generated token: its id, the char where its text begins (-1 inside a character) and its choices. */
    public record Token(int id, int start, TokenChoice choice) {}

    /** One generation's tokens over text [start, end); {@code reported} is false where the generator gave none. */
    public static final class Run {
        private int start, end;
        private final List<Token> tokens = new ArrayList<>();
        private final boolean reported;

        Run(int start, boolean reported) {
            this.start = this.end = start;
            this.reported = reported;
        }

        public int start() {
            return start;
        }

        public int end() {
            return end;
        }

        public boolean reported() {
            return reported;
        }

        public List<Token> tokens() {
            return List.copyOf(tokens);
        }

        /** The ids of tokens [0, k). */
        public int[] idsBefore(int k) {
            return tokens.subList(0, k).stream().mapToInt(Token::id).toArray();
        }

        /** Where token k's text ends: the next token that begins a character, or the run's end. */
        public int endOf(int k) {
            for (int j = k + 1; j < tokens.size(); j++)
                if (tokens.get(j).start() >= 0) return tokens.get(j).start();
            return end;
        }

        private void shift(int by) {
            start += by;
            end += by;
            tokens.replaceAll(t -> t.start() < 0 ? t : new Token(t.id(), t.start() + by, t.choice()));
        }

        /** Keeps the tokens whose text ends at or before {@code pos}. */
        private void cut(int pos) {
            int keep = 0;
            while (keep < tokens.size() && endOf(keep) <= pos) keep++;
            int newEnd = keep == 0 ? start : endOf(keep - 1);
            tokens.subList(keep, tokens.size()).clear();
            end = newEnd;
        }
    }

    /** A token found at a char: its run and its index there. */
    public record Hit(Run run, int index) {
        public Token token() {
            return run.tokens.get(index);
        }

        public int start() {
            return token().start();
        }

        public int end() {
            return run.endOf(index);
        }
    }

    private final List<Run> runs = new ArrayList<>();
    /** What {@link #saved} last gave, until the runs change (autosave asks often; typing after them is free). */
    private StoryChoices saved;

    /** The editor's change listener: offsets follow the text; an edit inside a run drops it from there on. */
    public void changed(int pos, int removed, int inserted) {
        int delta = inserted - removed;
        for (var it = runs.iterator(); it.hasNext(); ) {
            Run r = it.next();
            if (pos < r.end) saved = null; // the run moves or is cut: an edit after it leaves it as it is
            if (pos + removed <= r.start && (pos < r.start || removed == 0)) {
                r.shift(delta); // wholly before the run (an insert at its start pushes it on)
            } else if (pos >= r.end) {
                continue; // after it (typing right after a generation leaves it whole)
            } else if (pos <= r.start) {
                it.remove(); // the edit reaches over the run's start
            } else {
                r.cut(pos);
            }
            if (r.tokens.isEmpty() && r.end <= r.start) it.remove();
        }
    }

    /** The hoverable token whose text holds char {@code pos} (a token begins at or before it), or null. */
    public Hit at(int pos) {
        for (Run r : runs) {
            if (pos < r.start || pos >= r.end) continue;
            for (int k = r.tokens.size() - 1; k >= 0; k--) {
                int s = r.tokens.get(k).start();
                if (s >= 0 && s <= pos) return new Hit(r, k);
            }
        }
        return null;
    }

    /** The run covering char {@code pos} (for a generation whose generator reported no alternatives), or null. */
    public Run runAt(int pos) {
        for (Run r : runs) if (pos >= r.start && pos < r.end) return r;
        return null;
    }

    public List<Run> runs() {
        return List.copyOf(runs);
    }

    /**
     * FX thread: what the story file keeps, the runs the generator reported choices for (the file's
     * {@link StoryChoices#MAX_TOKENS} bound is applied when it is written, off this thread).
     */
    public StoryChoices saved() {
        if (saved != null) return saved;
        List<StoryChoices.Run> out = new ArrayList<>();
        for (Run r : runs) {
            if (!r.reported || r.tokens.isEmpty()) continue;
            List<StoryChoices.Token> t = new ArrayList<>(r.tokens.size());
            for (Token k : r.tokens) t.add(new StoryChoices.Token(k.start(), k.choice()));
            out.add(new StoryChoices.Run(r.start, r.end, t));
        }
        out.sort((a, b) -> Integer.compare(a.start(), b.start()));
        return saved = new StoryChoices(out);
    }

    /** Takes the choices a story file kept (before any edit: their offsets are the file's text's). */
    public void restore(StoryChoices kept) {
        saved = null;
        runs.clear();
        for (StoryChoices.Run r : kept.runs()) {
            Run run = new Run(r.start(), true);
            for (StoryChoices.Token t : r.tokens())
                run.tokens.add(new Token(t.choice().chosen().id(), t.start(), t.choice()));
            run.end = r.end();
            runs.add(run);
        }
    }

    /**
     * Starts recording a generation streamed in at {@code at}, after {@code lead} (text placed before the
     * stream: the chosen alternative of a "regenerate from here", or "") whose one token is {@code leadChoice}
     * (null when there is none).
     */
    public Recording record(int at, String lead, TokenChoice leadChoice, boolean reported) {
        return new Recording(at, lead, leadChoice, reported);
    }

    /** One generation being recorded: the model worker adds choices, the FX thread finishes it. */
    public final class Recording {
        private final int at;
        private final String lead;
        private final TokenChoice leadChoice;
        private final boolean reported;
        private final List<TokenChoice> choices = new CopyOnWriteArrayList<>();

        Recording(int at, String lead, TokenChoice leadChoice, boolean reported) {
            this.at = at;
            this.lead = lead;
            this.leadChoice = leadChoice;
            this.reported = reported;
        }

        /** Model worker: one token's choices, in order. */
        public void add(TokenChoice c) {
            choices.add(c);
        }

        /**
         * FX thread, when the generation ended: {@code inserted} is the text it left at {@code at} (the lead
         * included; shorter than what was streamed after a stop). Joins the run that ends at {@code at}, if any.
         */
        public void finish(String inserted) {
            if (inserted.isEmpty()) return;
            saved = null;
            // A server asked for alternatives may send none (no logprobs): its text reads as unreported.
            boolean got = reported && !choices.isEmpty();
            Run run = null;
            for (Run r : runs) if (r.end == at && r.end > r.start && r.reported == got) run = r;
            if (run == null) {
                run = new Run(at, got);
                runs.add(run);
            }
            int end = at + inserted.length();
            if (leadChoice != null && !lead.isEmpty())
                run.tokens.add(new Token(leadChoice.chosen().id(), at, leadChoice));
            for (TokenChoice c : choices) {
                int s = c.offset() < 0 ? -1 : at + lead.length() + c.offset();
                if (s >= end) break; // text a stop sequence or Stop cut off
                run.tokens.add(new Token(c.chosen().id(), s, c));
            }
            run.end = end;
            int total = 0;
            for (Run r : runs) total += r.tokens.size();
            while (total > MAX_TOKENS && runs.size() > 1)
                total -= runs.removeFirst().tokens.size();
        }
    }
}
