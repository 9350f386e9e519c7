package dev.sluice.console.playbook;

import java.util.ArrayList;
import java.util.List;

/** Splits a command's arguments at spaces, keeping "quoted words" (step names have spaces) together. */
final class Arguments {
    private Arguments() {
    }

    static List<String> split(String args) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < args.length(); i++) {
            char c = args.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            out.add(word.toString());
        }
        return out;
    }

    /** A step name as typed on the command line: quoted when it has spaces. */
    static String quoted(String name) {
        return name.chars().anyMatch(Character::isWhitespace) ? "\"" + name + "\"" : name;
    }
}
