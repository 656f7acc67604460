// Package english writes counted nouns for chschema's messages: "1
// migration", "2 migrations". Every message that counts goes through it, so
// that none says "1 migrations" (TestNoHandWrittenPlurals checks the
// sources for hand-written ones).
package english

import "strconv"

// irregular are the plurals that are not the singular plus "s".
var irregular = map[string]string{
	"was":          "were",
	"statement(s)": "statements",
}

// Plural is n and the noun, in the plural unless n is 1: Plural(1,
// "migration") is "1 migration", Plural(3, "change") "3 changes". Nouns
// ending in s, x, z, ch or sh take "es"; a consonant and y take "ies".
func Plural(n int, singular string) string {
	return strconv.Itoa(n) + " " + Noun(n, singular)
}

// Noun is the noun alone, in the plural unless n is 1.
func Noun(n int, singular string) string {
	if n == 1 {
		return singular
	}
	if p, ok := irregular[singular]; ok {
		return p
	}
	switch l := len(singular); {
	case l == 0:
		return singular
	case hasSuffix(singular, "s", "x", "z", "ch", "sh"):
		return singular + "es"
	case singular[l-1] == 'y' && l > 1 && !isVowel(singular[l-2]):
		return singular[:l-1] + "ies"
	}
	return singular + "s"
}

func hasSuffix(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if len(s) >= len(x) && s[len(s)-len(x):] == x {
			return true
		}
	}
	return false
}

func isVowel(b byte) bool {
	switch b {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}
