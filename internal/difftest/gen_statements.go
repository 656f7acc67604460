package difftest

import (
	"strings"

	"github.com/chschema/chschema/internal/stmtforms"
)

// genStatementForm draws a form of a statement kind of ClickHouse's parser
// from the inventory in internal/stmtforms (KILL, BACKUP, SHOW, EXPLAIN of
// every kind, INTO OUTFILE, transactions, …), so that the lint check ("SQL
// the server ran is never a syntax error") and the model's reading of the
// statement are tried within migrations. Only the forms the inventory marks
// safe to run are drawn: a KILL of a query id no query has, never SYSTEM
// SHUTDOWN, a BACKUP to a path or DROP USER. The first draw creates the
// inventory's fixture tables in the session database.
func genStatementForm(g *Gen) (Stmt, bool) {
	var forms []stmtforms.Form
	for _, f := range stmtforms.Forms {
		if f.Run && f.Effect == stmtforms.None {
			forms = append(forms, f)
		}
	}
	f := pick(g, forms)
	if i := g.st.stmtFixture; i < len(stmtforms.Fixture) && strings.Contains(f.SQL, ".stmt_") {
		// The form uses the fixture: create it first, one table a draw.
		return Stmt{SQL: stmtforms.Fixture[i], Construct: "statement-form fixture", apply: func(s *state) { s.stmtFixture = i + 1 }}, true
	}
	sql := f.SQL
	if g.chance(0.3) {
		// The same form in lower case: keywords are not case-sensitive.
		sql = lowerOutsideQuotes(sql)
	}
	return Stmt{SQL: sql, Construct: "statement-form " + f.Kind}, true
}

// lowerOutsideQuotes lowers the case of sql outside its string literals
// and ${…} placeholders.
func lowerOutsideQuotes(sql string) string {
	var b strings.Builder
	inString, inVar := false, false
	for i := 0; i < len(sql); i++ {
		ch := sql[i]
		switch {
		case inString:
			if ch == '\'' {
				inString = false
			}
		case inVar:
			if ch == '}' {
				inVar = false
			}
		case ch == '\'':
			inString = true
		case ch == '$' && i+1 < len(sql) && sql[i+1] == '{':
			inVar = true
		case ch >= 'A' && ch <= 'Z':
			ch += 'a' - 'A'
		}
		b.WriteByte(ch)
	}
	return b.String()
}
