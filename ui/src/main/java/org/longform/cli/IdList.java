package org.longform.cli;

/** Parses "1,2,3" (spaces allowed) into token ids. */
final class IdList {
    private IdList() {}

    static int[] parse(String value, String option) {
        String v = value.trim();
        if (v.isEmpty()) return new int[0];
        String[] parts = v.split("[,\\s]+");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        option + ": '" + parts[i] + "' is not a token id (expected comma-separated integers)");
            }
        }
        return ids;
    }
}
