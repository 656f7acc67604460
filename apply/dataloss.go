package apply

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/chschema/chschema/internal/english"
	"strings"

	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// ErrDataLoss: a down would destroy data and was not allowed to; see
// DataLossError.
var ErrDataLoss = errors.New("apply: the down would destroy data")

// DataLoss is data one statement of a down section would destroy, as the
// server holds it before the down runs.
type DataLoss struct {
	Key Key `json:"key"`
	// Index is the statement's 0-based index in the down section.
	Index int       `json:"index"`
	Stmt  Statement `json:"statement"`
	// What is "drop database", "drop table", "replace table", "drop
	// column", "modify column" (a type change rewrites the column),
	// "clear column", "truncate", "delete", "update" or "drop partition".
	What     string `json:"what"`
	Database string `json:"database"`
	Table    string `json:"table,omitempty"`
	Column   string `json:"column,omitempty"`
	// Partition is the partition expression of DROP PARTITION.
	Partition string `json:"partition,omitempty"`
	// Rows and Bytes are what the object holds (Bytes: on disk,
	// compressed; for a column, the column's own).
	Rows  uint64 `json:"rows"`
	Bytes uint64 `json:"bytes"`
	// AtMost says the statement touches only the rows its condition
	// selects, of the Rows counted (DELETE, UPDATE, a partition that
	// system.parts does not name as written).
	AtMost bool `json:"at_most,omitempty"`
}

func (d DataLoss) String() string {
	obj := quoteIdent(d.Database)
	if d.Table != "" {
		obj += "." + quoteIdent(d.Table)
	}
	switch {
	case d.Column != "":
		obj = quoteIdent(d.Column) + " of " + obj
	case d.Partition != "":
		obj = d.Partition + " of " + obj
	}
	amount := english.Plural(int(d.Rows), "row")
	if d.Bytes > 0 {
		amount += ", " + bytesText(d.Bytes)
	}
	if d.AtMost {
		amount = "up to " + amount
	}
	return fmt.Sprintf("%s: %s down statement %d: %s %s: %s", d.Stmt.Pos(), d.Key, d.Index+1, d.What, obj, amount)
}

func bytesText(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// DataLossError lists the data a down would destroy; the down ran nothing.
type DataLossError struct {
	Losses []DataLoss
}

func (e *DataLossError) Error() string {
	var b strings.Builder
	var rows uint64
	for _, l := range e.Losses {
		rows += l.Rows
	}
	fmt.Fprintf(&b, "apply: the down would destroy data (%s, %s); it ran nothing:", english.Plural(len(e.Losses), "statement"), english.Plural(int(rows), "row"))
	for _, l := range e.Losses {
		b.WriteString("\n  " + l.String())
	}
	b.WriteString("\n  Back the data up if it matters, then run the down again with --allow-data-loss (CHSCHEMA_ALLOW_DATA_LOSS=1)")
	return b.String()
}

func (e *DataLossError) Unwrap() error { return ErrDataLoss }

// DataLossChecked is sent by a down (and its dry run) after it looked for
// data its statements would destroy.
type DataLossChecked struct {
	Losses []DataLoss `json:"losses"`
	// Allowed is true when the down goes on anyway (WithDataLossAllowed).
	Allowed bool `json:"allowed"`
}

// Kind implements RunEvent.
func (DataLossChecked) Kind() string { return "data_loss_checked" }

func (e DataLossChecked) String() string {
	if len(e.Losses) == 0 {
		return "data loss check: the down destroys no data"
	}
	s := "data loss check: " + english.Plural(len(e.Losses), "statement") + " destroy data"
	if e.Allowed {
		s += " (allowed)"
	}
	return s
}

var _ RunEvent = DataLossChecked{}

// WithDataLossAllowed lets a down run statements that destroy data: drop a
// database, table or column holding rows, truncate, delete, update, drop a
// partition. Without it such a down refuses with a *DataLossError before
// running anything.
func WithDataLossAllowed() Option {
	return func(r *Runner) error { r.allowDataLoss = true; return nil }
}

// dataLoss finds what the planned down statements would destroy on the
// server as it is now. Objects are looked up by the names the statements
// use; an object that an earlier statement of the same down renames or
// creates is not followed.
func (r *Runner) dataLoss(ctx context.Context, plan []plannedUnit) ([]DataLoss, error) {
	var session string
	if err := r.conn.QueryRow(ctx, "SELECT currentDatabase()").Scan(&session); err != nil {
		return nil, fmt.Errorf("apply: data loss check: %w", err)
	}
	var out []DataLoss
	for _, p := range plan {
		// The section's USE statements before a resume point still hold:
		// the resumed section runs them again first.
		db := session
		for i := 0; i < len(p.unit.Down); i++ {
			st := p.unit.Down[i]
			effects, use := destructive(st.SQL, db)
			if use != "" {
				db = use
			}
			if i < p.start {
				continue
			}
			for _, e := range effects {
				l := DataLoss{Key: p.unit.Key(), Index: i, Stmt: st, What: e.what, Database: e.table.Database,
					Table: e.table.Name, Column: e.column, Partition: e.partition}
				if err := r.measure(ctx, &l, e); err != nil {
					return nil, fmt.Errorf("apply: data loss check of %s: %w", st.Pos(), err)
				}
				if l.Rows > 0 {
					out = append(out, l)
				}
			}
		}
	}
	return out, nil
}

// effect is one destructive part of a statement.
type effect struct {
	what      string
	table     schema.QualifiedName // Name empty: the whole database
	column    string
	partition string
	// newType is the column's type after a MODIFY COLUMN.
	newType string
	atMost  bool
}

// destructive lists what a statement destroys, from the parser's model of
// it (drops and type changes) and, for the statements that change data
// and not the schema, from its first words. use is the database a USE
// switches to.
func destructive(sqlText, db string) (effects []effect, use string) {
	conv, err := parser.Convert(sqlText, db)
	if err == nil && conv != nil {
		use = conv.Use
		for _, c := range conv.Changes {
			switch c := c.(type) {
			case *schema.DropDatabase:
				effects = append(effects, effect{what: "drop database", table: schema.QualifiedName{Database: c.Name}})
			case *schema.DropObject:
				if c.Kind != schema.KindDictionary {
					effects = append(effects, effect{what: "drop table", table: c.Name})
				}
			case *schema.AddTable:
				if c.OrReplace {
					effects = append(effects, effect{what: "replace table", table: c.Name})
				}
			case *schema.ModifyTable:
				for _, sub := range c.Changes {
					switch sub := sub.(type) {
					case *schema.DropColumn:
						effects = append(effects, effect{what: "drop column", table: c.Name, column: sub.Name})
					case *schema.ModifyColumn:
						if sub.Kind.Is(schema.ChangeType) && sub.To != nil {
							effects = append(effects, effect{what: "modify column", table: c.Name, column: sub.To.Name, newType: string(sub.To.Type)})
						}
					}
				}
			}
		}
	}
	return append(effects, dataEffects(sqlText, db)...), use
}

// words are a statement's tokens without comments and spaces.
type words struct {
	sql  string
	toks []parser.Token
}

func lexWords(sqlText string) words {
	w := words{sql: sqlText}
	lx := parser.NewLexer(sqlText)
	for {
		tok, err := lx.Next()
		if err != nil || tok.Kind == parser.TokenEOF {
			return w
		}
		if !tok.Kind.IsTrivia() {
			w.toks = append(w.toks, tok)
		}
	}
}

func (w words) text(i int) string {
	if i < 0 || i >= len(w.toks) {
		return ""
	}
	return w.sql[w.toks[i].Off:w.toks[i].End]
}

// is reports whether token i is the keyword kw.
func (w words) is(i int, kw string) bool { return strings.EqualFold(w.text(i), kw) }

// ident is token i as an identifier, unquoted.
func (w words) ident(i int) string {
	s := w.text(i)
	if len(s) >= 2 && (s[0] == '`' || s[0] == '"') && s[len(s)-1] == s[0] {
		q := string(s[0])
		return strings.NewReplacer(`\`+q, q, q+q, q, `\\`, `\`).Replace(s[1 : len(s)-1])
	}
	return s
}

// name reads [db.]name at i and returns the index after it.
func (w words) name(i int, db string) (schema.QualifiedName, int) {
	if w.text(i+1) == "." {
		return schema.QualifiedName{Database: w.ident(i), Name: w.ident(i + 2)}, i + 3
	}
	return schema.QualifiedName{Database: db, Name: w.ident(i)}, i + 1
}

// dataEffects reads the statements that destroy data without changing the
// schema: TRUNCATE, DELETE FROM, and ALTER TABLE ... DELETE, UPDATE, DROP
// PARTITION|PART, CLEAR COLUMN.
func dataEffects(sqlText, db string) []effect {
	w := lexWords(sqlText)
	switch {
	case w.is(0, "TRUNCATE"):
		i := 1
		if w.is(i, "TEMPORARY") {
			return nil
		}
		if w.is(i, "TABLE") {
			i++
		}
		if w.is(i, "IF") && w.is(i+1, "EXISTS") {
			i += 2
		}
		if i >= len(w.toks) || w.is(i, "ALL") {
			return nil
		}
		t, _ := w.name(i, db)
		return []effect{{what: "truncate", table: t}}
	case w.is(0, "DELETE") && w.is(1, "FROM"):
		t, _ := w.name(2, db)
		return []effect{{what: "delete", table: t, atMost: true}}
	case w.is(0, "ALTER") && w.is(1, "TABLE"):
		t, i := w.name(2, db)
		if w.is(i, "ON") && w.is(i+1, "CLUSTER") {
			i += 3
		}
		var out []effect
		depth := 0
		for start := i; i <= len(w.toks); i++ {
			if i < len(w.toks) {
				switch w.text(i) {
				case "(", "[":
					depth++
					continue
				case ")", "]":
					depth--
					continue
				}
				if depth > 0 || (w.text(i) != "," && !w.is(i, "SETTINGS")) {
					continue
				}
			}
			if e, ok := alterDataAction(w, start, t); ok {
				out = append(out, e)
			}
			if w.is(i, "SETTINGS") {
				break
			}
			start = i + 1
		}
		return out
	}
	return nil
}

// alterDataAction reads one ALTER TABLE action starting at token i.
func alterDataAction(w words, i int, t schema.QualifiedName) (effect, bool) {
	switch {
	case w.is(i, "DELETE"):
		return effect{what: "delete", table: t, atMost: true}, true
	case w.is(i, "UPDATE"):
		return effect{what: "update", table: t, atMost: true}, true
	case w.is(i, "DROP") && (w.is(i+1, "PARTITION") || w.is(i+1, "PART")):
		j := i + 2
		if w.is(j, "ID") {
			j++
		}
		return effect{what: "drop partition", table: t, partition: w.text(j)}, true
	case w.is(i, "CLEAR") && w.is(i+1, "COLUMN"):
		j := i + 2
		if w.is(j, "IF") && w.is(j+1, "EXISTS") {
			j += 2
		}
		return effect{what: "clear column", table: t, column: w.ident(j)}, true
	}
	return effect{}, false
}

// localStorage are the engines that keep rows on the server without
// reporting total_rows.
var localStorage = map[string]bool{"Log": true, "TinyLog": true, "StripeLog": true, "Set": true, "Join": true}

// measure fills l with what the object of e holds now.
func (r *Runner) measure(ctx context.Context, l *DataLoss, e effect) error {
	if e.table.Name == "" {
		rows, err := r.conn.Query(ctx, "SELECT name FROM system.tables WHERE database = ? AND NOT is_temporary", e.table.Database)
		if err != nil {
			return err
		}
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			names = append(names, n)
		}
		rows.Close()
		for _, n := range names {
			rs, bs, err := r.tableSize(ctx, e.table.Database, n)
			if err != nil {
				return err
			}
			l.Rows, l.Bytes = l.Rows+rs, l.Bytes+bs
		}
		return nil
	}
	rows, bytes, err := r.tableSize(ctx, e.table.Database, e.table.Name)
	if err != nil || rows == 0 {
		return err
	}
	l.Rows, l.Bytes, l.AtMost = rows, bytes, e.atMost
	switch {
	case e.partition != "":
		var n, prows, pbytes uint64
		lit := unquoteLiteral(e.partition)
		err := r.conn.QueryRow(ctx, `SELECT count(), sum(rows), sum(bytes_on_disk) FROM system.parts
			WHERE active AND database = ? AND table = ? AND (partition = ? OR partition_id = ? OR name = ?)`,
			e.table.Database, e.table.Name, lit, lit, lit).Scan(&n, &prows, &pbytes)
		if err != nil {
			return err
		}
		if n > 0 {
			l.Rows, l.Bytes = prows, pbytes
		} else {
			// Not found as written: it may name a partition in another
			// form; count the whole table.
			l.AtMost = true
		}
	case e.column != "":
		var typ string
		var cbytes uint64
		err := r.conn.QueryRow(ctx, "SELECT type, data_compressed_bytes FROM system.columns WHERE database = ? AND table = ? AND name = ?",
			e.table.Database, e.table.Name, e.column).Scan(&typ, &cbytes)
		if errors.Is(err, sql.ErrNoRows) {
			l.Rows = 0 // no such column: nothing to lose
			return nil
		}
		if err != nil {
			return err
		}
		if e.newType != "" && typ == e.newType {
			l.Rows = 0 // the type does not change
			return nil
		}
		l.Bytes = cbytes
	}
	return nil
}

// tableSize is how many rows and bytes a table holds; for a materialized
// view, its inner table's.
func (r *Runner) tableSize(ctx context.Context, db, table string) (rows, bytes uint64, err error) {
	var engine, uuid string
	var total, totalBytes *uint64
	err = r.conn.QueryRow(ctx, "SELECT engine, toString(uuid), total_rows, total_bytes FROM system.tables WHERE database = ? AND name = ?",
		db, table).Scan(&engine, &uuid, &total, &totalBytes)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	switch {
	case engine == "MaterializedView":
		for _, inner := range []string{".inner_id." + uuid, ".inner." + table} {
			if rows, bytes, err = r.tableSize(ctx, db, inner); err != nil || rows > 0 {
				return rows, bytes, err
			}
		}
		return 0, 0, nil
	case total != nil:
		rows = *total
		if totalBytes != nil {
			bytes = *totalBytes
		}
		return rows, bytes, nil
	case localStorage[engine]:
		var n uint64
		if err := r.conn.QueryRow(ctx, "SELECT count() FROM "+quoteIdent(db)+"."+quoteIdent(table)).Scan(&n); err != nil {
			return 0, 0, err
		}
		var size uint64
		if totalBytes != nil {
			size = *totalBytes
		}
		return n, size, nil
	}
	return 0, 0, nil
}

// unquoteLiteral strips the quotes of a '...' literal.
func unquoteLiteral(s string) string {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return strings.NewReplacer(`\'`, `'`, `''`, `'`, `\\`, `\`).Replace(s[1 : len(s)-1])
	}
	return s
}
