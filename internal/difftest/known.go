package difftest

import (
	"regexp"
	"strings"
)

// KnownDefect is a defect issue 11 lists (§2–§4), which another branch
// fixes: a failure it matches is counted, not reported, so that a run goes
// on to find the others. The list goes once both branches are merged.
type KnownDefect struct {
	// ID names the defect; Issue quotes issue 11's item.
	ID, Issue string
	// Match recognises the defect's failures: the failure and the
	// statements of its case.
	Match func(f Failure, stmts []Stmt) bool
}

// knownDefects are issue 11's listed defects, as the tester meets them.
var knownDefects = []KnownDefect{
	{"unknown-escape", "String escapes: the server keeps the backslash of an escape it does not know ('[\\w\\-]' stays \\w\\-); chschema drops it",
		func(f Failure, _ []Stmt) bool { return isDrift(f) && differsOnlyIn(f.Detail, `\`) }},
	{"sql-security", "CREATE VIEW v SQL SECURITY INVOKER AS ... (never compared, so a dropped or changed view is missed)",
		func(f Failure, stmts []Stmt) bool {
			return strings.Contains(f.Stmt, "SQL SECURITY") || strings.Contains(f.Stmt, "DEFINER") ||
				(isDrift(f) && anySQL(stmts, "SQL SECURITY"))
		}},
	{"old-style-mergetree", "Old-style MergeTree(d, k, 8192): the server derives PARTITION BY toYYYYMM(d), ORDER BY, PRIMARY KEY, SAMPLE BY",
		func(f Failure, stmts []Stmt) bool {
			return (isDrift(f) || f.Kind == KindSilentDrop) && oldStyle.MatchString(strings.Join(sqlOf(stmts), ";"))
		}},
	{"partition-by-tuple", "PARTITION BY tuple() written explicitly is kept by the server",
		func(f Failure, stmts []Stmt) bool {
			return (isDrift(f) || f.Kind == KindSilentDrop) && strings.Contains(f.Detail, "partition") && (anySQL(stmts, "PARTITION BY tuple()") || anySQL(stmts, "PARTITION BY ()"))
		}},
	{"engine-settings", "SETTINGS of a Memory/Set/Join table: the server drops query-level settings",
		func(f Failure, stmts []Stmt) bool {
			return isDrift(f) && strings.Contains(f.Detail, "settings") && anySQL(stmts, "ENGINE = Memory", "SETTINGS")
		}},
	{"index-parens", "INDEX i ((a)) TYPE bloom_filter: the server stores (a)",
		func(f Failure, _ []Stmt) bool {
			return isDrift(f) && strings.Contains(f.Detail, "index") && differsOnlyIn(f.Detail, "()")
		}},
	{"text-index-granularity", "text(...) and vector_similarity(...) indexes: the server stores GRANULARITY 100000000",
		func(f Failure, _ []Stmt) bool {
			return isDrift(f) && strings.Contains(f.Detail, "GRANULARITY") &&
				(strings.Contains(f.Detail, "TYPE text(") || strings.Contains(f.Detail, "vector_similarity"))
		}},
	{"dictionary-table-drop", "CREATE TABLE x ENGINE = Dictionary(d) then DROP DICTIONARY x: 'it is a TABLE: schema: invalid change'",
		func(f Failure, _ []Stmt) bool {
			return f.Kind == KindModelError && strings.Contains(f.Detail, "it is a TABLE")
		}},
	{"interval-string", "TTL d + INTERVAL '7 days' passes lint and the TTL is silently dropped; INTERVAL '7 days' rejected by lint",
		func(f Failure, stmts []Stmt) bool {
			return (strings.Contains(f.Stmt, "INTERVAL '") || (isDrift(f) || f.Kind == KindSilentDrop) && anySQL(stmts, "INTERVAL '")) &&
				(f.Kind == KindLintRejects || strings.Contains(strings.ToLower(f.Detail), "ttl"))
		}},
	{"insert-with", "Valid SQL that offline lint rejects: INSERT INTO t (x) WITH 1 AS y SELECT y; a keyword column in an INSERT list",
		func(f Failure, _ []Stmt) bool {
			return f.Kind == KindLintRejects && strings.HasPrefix(f.Stmt, "INSERT INTO")
		}},
	{"partition-id", "Valid SQL that offline lint rejects: DETACH/DROP PARTITION ID '...'",
		func(f Failure, _ []Stmt) bool {
			return f.Kind == KindLintRejects && strings.Contains(f.Stmt, "PARTITION ID")
		}},
	{"attach-partition-all", "lint panics (nil pointer inside AfterShip's parser) on ALTER TABLE t ATTACH PARTITION ALL",
		func(f Failure, stmts []Stmt) bool {
			return (f.Kind == KindPanic || f.Kind == KindLintRejects) && (strings.Contains(f.Stmt, "ATTACH PARTITION ALL") ||
				f.Kind == KindPanic && anySQL(stmts, "ATTACH PARTITION ALL"))
		}},
	{"alias-without-type", "Valid SQL that offline lint rejects: an ALIAS column without a type",
		func(f Failure, _ []Stmt) bool {
			return f.Kind == KindLintRejects && aliasNoType.MatchString(f.Stmt)
		}},
	{"float-settings", "Valid SQL that offline lint rejects: float or exponent values in table SETTINGS (0.9, 1e9)",
		func(f Failure, _ []Stmt) bool { return f.Kind == KindLintRejects && floatSetting.MatchString(f.Stmt) }},
	{"drop-forms", "Unreadable: DROP TABLE a SYNC SETTINGS max_table_size_to_drop = 0; DROP TABLE IF EXISTS IF EMPTY g SYNC; DROP TABLE t1, t2",
		func(f Failure, stmts []Stmt) bool {
			return strings.Contains(f.Stmt, "IF EMPTY") || strings.Contains(f.Stmt, "SYNC SETTINGS") ||
				anySQL(stmts, "IF EMPTY") && f.Kind != KindLintRejects || anySQL(stmts, "SYNC SETTINGS") && f.Kind != KindLintRejects
		}},
	{"ttl-name", "Valid SQL that offline lint rejects: a table named ttl (the live reader cannot read it either)",
		func(f Failure, _ []Stmt) bool {
			return (f.Kind == KindLintRejects || f.Kind == KindLiveUnreadable) && ttlName.MatchString(f.Stmt+" "+f.Object+" "+f.Detail)
		}},
	{"after-nested", "ADD COLUMN x AFTER n where n is Nested",
		func(f Failure, stmts []Stmt) bool {
			return anySQL(stmts, "Nested(") && anySQL(stmts, " AFTER ") && (f.Kind == KindModelError || isDrift(f))
		}},
}

var (
	oldStyle     = regexp.MustCompile(`MergeTree\([^()]*, \([^;]*\), (8192|1024)\)`)
	ttlName      = regexp.MustCompile("(?i)[.\x60\"]ttl\\b")
	aliasNoType  = regexp.MustCompile(`[\w\x60"] ALIAS `)
	floatSetting = regexp.MustCompile(`SETTINGS? [^;]*= -?\d*\.\d|SETTINGS? [^;]*= -?\d+(\.\d*)?e[+-]?\d`)
)

func isDrift(f Failure) bool { return f.Kind == KindFalseDrift || f.Kind == KindFieldMismatch }

// differsOnlyIn reports whether a failure's "- from" and "+ to" lines are
// equal once the characters in chars are taken out of both.
func differsOnlyIn(detail, chars string) bool {
	var from, to string
	side := 0 // the side a line without a sign continues (a value with a newline)
	for _, l := range strings.Split(detail, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "    - "):
			from += t[2:]
			side = 1
		case strings.HasPrefix(l, "    + "):
			to += t[2:]
			side = 2
		case side == 1:
			from += "\n" + l
		case side == 2:
			to += "\n" + l
		}
	}
	if from == "" || to == "" || from == to {
		return false
	}
	strip := func(s string) string {
		return strings.Map(func(r rune) rune {
			if strings.ContainsRune(chars, r) {
				return -1
			}
			return r
		}, s)
	}
	return strip(from) == strip(to)
}

func sqlOf(stmts []Stmt) []string {
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = s.SQL
	}
	return out
}

// known returns the known defect f is, if any.
func known(f Failure, stmts []Stmt) (KnownDefect, bool) {
	for _, k := range knownDefects {
		if k.Match(f, stmts) {
			return k, true
		}
	}
	return KnownDefect{}, false
}

// anySQL reports whether a statement of stmts contains all of parts.
func anySQL(stmts []Stmt, parts ...string) bool {
	for _, s := range stmts {
		all := true
		for _, p := range parts {
			if !strings.Contains(s.SQL, p) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}
