package difftest

import (
	"context"
	"fmt"
	"strings"
)

// sameFailure reports whether res still has a failure like f: one with the
// same signature.
func sameFailure(res *Result, f Failure) (Failure, bool) {
	for _, g := range res.Failures {
		if g.Signature() == f.Signature() {
			return g, true
		}
	}
	return Failure{}, false
}

// Shrink removes statements from c while the failure f persists (delta
// debugging: chunks first, then single statements), each try on a fresh
// database, until nothing more can go or tries reruns are spent. It returns
// the smallest failing sequence found and the failure as it shows there.
func (r *Runner) Shrink(ctx context.Context, c *Case, f Failure, tries int) ([]Stmt, Failure, *Result) {
	cur := c.Stmts
	curF := f
	var curRes *Result
	left := func() bool { return tries > 0 && ctx.Err() == nil }
	try := func(stmts []Stmt) bool {
		if !left() {
			return false
		}
		tries--
		res, ok, err := r.Reproduce(ctx, c.Seed, stmts, f.Mutation)
		if err != nil || !ok {
			return false
		}
		if g, ok := sameFailure(res, f); ok {
			cur, curF, curRes = stmts, g, res
			return true
		}
		return false
	}
	// The failure must reproduce at all (a missed mutation needs the
	// mutation again).
	if !try(cur) {
		return cur, f, nil
	}
	// Failures usually show as soon as one statement has run: find the
	// shortest failing prefix first, by bisection.
	lo, hi := 1, len(cur)
	for lo < hi && left() {
		mid := (lo + hi) / 2
		if try(cur[:mid]) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	n := 2
	for len(cur) >= 2 && left() {
		chunk := (len(cur) + n - 1) / n
		reduced := false
		for start := 0; start < len(cur); start += chunk {
			end := min(start+chunk, len(cur))
			cand := append(append([]Stmt(nil), cur[:start]...), cur[end:]...)
			if len(cand) > 0 && try(cand) {
				n = max(n-1, 2)
				reduced = true
				break
			}
		}
		if !reduced {
			if n >= len(cur) {
				break
			}
			n = min(2*n, len(cur))
		}
	}
	return cur, curF, curRes
}

// CorpusBlock writes a failing sequence as an oracle corpus block: a comment
// naming the finding, then the statements, each statement the model says it
// cannot follow announced by "-- expect-unsupported".
func CorpusBlock(seed uint64, f Failure, stmts []Stmt, res *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "-- difftest %s (case seed %d; rerun: CHSCHEMA_DIFFTEST_CASE=%d)\n", f.Kind, seed, seed)
	for _, l := range strings.Split(strings.TrimSpace(f.String()), "\n") {
		b.WriteString("-- " + l + "\n")
	}
	unsupported := map[int]bool{}
	if res != nil {
		for _, fd := range res.findings {
			for i, p := range res.Placed {
				if p.File == fd.Pos.File && p.Line <= fd.Pos.Line && (i+1 == len(res.Placed) || res.Placed[i+1].File != p.File ||
					res.Placed[i+1].Line > fd.Pos.Line) {
					unsupported[i] = true
				}
			}
		}
	}
	for i, s := range stmts {
		if unsupported[i] {
			b.WriteString("-- expect-unsupported\n")
		}
		b.WriteString(s.SQL + ";\n")
	}
	return b.String()
}
