package parser_test

import (
	"errors"
	"math/rand"
	"strings"
	"testing"

	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// mutationWords are spliced into statements by TestCorpusMutations: the
// keywords whose neighbourhoods the readers branch on.
var mutationWords = []string{"ALL", "ID", "PARTITION", "PART", "TABLE", "IF", "EXISTS", "NOT", "ON", "CLUSTER",
	"SETTINGS", "TTL", "INTERVAL", "'7 days'", "AFTER", "FIRST", "CODEC", "(", ")", ",", "=", "TO", "AS", "SELECT",
	"ENGINE", "ORDER", "BY", "tuple()", "INDEX", "TYPE", "GRANULARITY", "DEFAULT", "ALIAS", "COLUMN", "SYNC",
	"EMPTY", "TEMPORARY", "Nested(a UInt8)", "`x`", "01_db", "1e9", "0.5", "\\", "'\\w'", "->", "x.y"}

// TestCorpusMutations runs every statement of the oracle corpus, truncated
// and mutated at random (deterministically: the seed is fixed), through
// Parse, Convert and the replayer. A panic must never escape, chschema's
// own code must never panic (ErrInternal), and a parse error must lie in
// the statement. AfterShip's own panics (ErrPanic) are caught and counted.
func TestCorpusMutations(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	var stmts []parser.Statement
	for _, src := range corpus(t, "db", "fn_") {
		st, err := parser.Split(src, parser.FileStart)
		if err != nil {
			t.Fatal(err)
		}
		stmts = append(stmts, st...)
	}
	perStatement := 12
	if testing.Short() {
		perStatement = 3
	}
	mutants, afterShipPanics := 0, 0
	for _, st := range stmts {
		for k := 0; k < perStatement; k++ {
			text := mutate(rng, st.Text)
			mutants++
			s := parser.Statement{Text: text, Pos: parser.FileStart}
			_, err := parser.Parse(s)
			if errors.Is(err, parser.ErrInternal) {
				t.Errorf("Parse(%q): %v", text, err)
			}
			if errors.Is(err, parser.ErrPanic) {
				afterShipPanics++
			}
			var pe *parser.ParseError
			if errors.As(err, &pe) && (pe.Pos.Offset < 0 || pe.Pos.Offset > len(text)) {
				t.Errorf("Parse(%q): error %v outside the statement", text, err)
			}
			conv, err := parser.Convert(text, "db")
			if err != nil && errors.Is(err, parser.ErrInternal) {
				t.Errorf("Convert(%q): %v", text, err)
			}
			if conv != nil {
				for _, u := range conv.Unsupported {
					if strings.Contains(u.Reason, parser.ErrInternal.Error()) {
						t.Errorf("Convert(%q): %s", text, u.Reason)
					}
					// What the model cannot follow always names what it
					// may touch.
					if len(u.Objects)+len(u.Databases) == 0 {
						t.Errorf("Convert(%q): %s names nothing it may touch", text, u.Reason)
					}
				}
			}
			r, err := parser.NewReplayer(parser.StartingSchema("db"), "db")
			if err != nil {
				t.Fatal(err)
			}
			r.ReplayStatement(schema.Position{File: "m.sql", Line: 1, Col: 1}, text)
			for _, f := range r.Findings() {
				if strings.Contains(f.Reason, parser.ErrInternal.Error()) {
					t.Errorf("replay(%q): %s", text, f.Reason)
				}
			}
		}
	}
	t.Logf("%d mutants of %d statements; AfterShip panicked on %d (caught)", mutants, len(stmts), afterShipPanics)
}

// mutate truncates text, drops, doubles or swaps a token, or splices in a
// keyword.
func mutate(rng *rand.Rand, text string) string {
	toks := strings.Fields(text)
	if len(toks) == 0 {
		return text
	}
	switch rng.Intn(5) {
	case 0:
		return text[:rng.Intn(len(text)+1)]
	case 1:
		i := rng.Intn(len(toks))
		toks = append(toks[:i], toks[i+1:]...)
	case 2:
		i := rng.Intn(len(toks))
		toks = append(toks[:i+1], toks[i:]...)
	case 3:
		if len(toks) > 1 {
			i := rng.Intn(len(toks) - 1)
			toks[i], toks[i+1] = toks[i+1], toks[i]
		}
	default:
		i := rng.Intn(len(toks) + 1)
		toks = append(toks[:i], append([]string{mutationWords[rng.Intn(len(mutationWords))]}, toks[i:]...)...)
	}
	return strings.Join(toks, " ")
}
