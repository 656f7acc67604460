package plan

import (
	"errors"
	"fmt"
	"strings"

	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// ErrCluster is wrapped by the errors of Options.Cluster.
var ErrCluster = errors.New("plan: ON CLUSTER")

// withCluster returns stmt, a statement the planner wrote, with an ON
// CLUSTER clause for cluster in the place ClickHouse's grammar has it: after
// the object's name for CREATE, ALTER and DROP, at the end for RENAME and
// EXCHANGE. INSERT has no ON CLUSTER: a table rebuild copies its rows on one
// node only, so it is an error.
func withCluster(stmt, cluster string) (string, error) {
	clause := " ON CLUSTER " + schema.QuoteIdent(cluster)
	var toks []parser.Token
	lx := parser.NewLexer(stmt)
	for {
		t, err := lx.Next()
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrCluster, err)
		}
		if t.Kind == parser.TokenEOF {
			break
		}
		if t.Kind != parser.TokenSpace && t.Kind != parser.TokenLineComment && t.Kind != parser.TokenBlockComment {
			toks = append(toks, t)
		}
	}
	word := func(i int) string {
		if i < len(toks) && toks[i].Kind == parser.TokenIdent {
			return strings.ToUpper(stmt[toks[i].Off:toks[i].End])
		}
		return ""
	}
	accept := func(i *int, words ...string) bool {
		for k, w := range words {
			if word(*i+k) != w {
				return false
			}
		}
		*i += len(words)
		return true
	}
	// afterName inserts the clause after the [db.]name at token i.
	afterName := func(i int) (string, error) {
		if i >= len(toks) || (toks[i].Kind != parser.TokenIdent && toks[i].Kind != parser.TokenQuotedIdent) {
			return "", fmt.Errorf("%w: no object name where expected in %q", ErrCluster, firstLine(stmt))
		}
		end := toks[i].End
		if i+2 < len(toks) && stmt[toks[i+1].Off:toks[i+1].End] == "." {
			end = toks[i+2].End
		}
		return stmt[:end] + clause + stmt[end:], nil
	}
	i := 0
	switch {
	case accept(&i, "CREATE"):
		accept(&i, "OR", "REPLACE")
		if !accept(&i, "MATERIALIZED", "VIEW") && !accept(&i, "TABLE") && !accept(&i, "VIEW") &&
			!accept(&i, "DICTIONARY") && !accept(&i, "DATABASE") && !accept(&i, "FUNCTION") {
			break
		}
		accept(&i, "IF", "NOT", "EXISTS")
		return afterName(i)
	case accept(&i, "ALTER"):
		if !accept(&i, "TABLE") && !accept(&i, "DATABASE") {
			break
		}
		return afterName(i)
	case accept(&i, "DROP"):
		if !accept(&i, "TABLE") && !accept(&i, "VIEW") && !accept(&i, "DICTIONARY") && !accept(&i, "DATABASE") && !accept(&i, "FUNCTION") {
			break
		}
		accept(&i, "IF", "EXISTS")
		return afterName(i)
	case word(0) == "RENAME" || word(0) == "EXCHANGE":
		end := toks[len(toks)-1].End
		return stmt[:end] + clause + stmt[end:], nil
	case word(0) == "INSERT":
		return "", fmt.Errorf("%w: a table rebuild copies its rows with INSERT … SELECT, which has no ON CLUSTER and would run on one node only; write the rebuild by hand for a cluster: %s", ErrCluster, firstLine(stmt))
	}
	return "", fmt.Errorf("%w: chschema cannot place the clause in %q", ErrCluster, firstLine(stmt))
}

// onCluster adds the ON CLUSTER clause to every statement.
func onCluster(stmts []Statement, cluster string) ([]Statement, error) {
	out := make([]Statement, len(stmts))
	var errs []error
	for i, s := range stmts {
		sql, err := withCluster(s.SQL, cluster)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.SQL = sql
		out[i] = s
	}
	return out, errors.Join(errs...)
}
