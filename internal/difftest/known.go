package difftest

import "strings"

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
var knownDefects = []KnownDefect{}

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
