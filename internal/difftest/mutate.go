package difftest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/drift"
	"github.com/chschema/chschema/schema"
)

// mutation is one live-side change and what the diff must then report.
type mutation struct {
	sql string
	// db and object name what an entry of the diff must be about; object
	// is empty for a database-level change, db empty for a function.
	db, object string
	// also is a second object an entry may name instead (a rename's new
	// name).
	also string
}

// mutationsFor lists the real changes one can make to an object the
// comparison found equal: each must show up as drift.
func (r *Runner) mutationsFor(live, expected *schema.Schema, o checkedObject) []mutation {
	d, ok := live.Database(o.db)
	if !ok {
		return nil
	}
	obj, ok := d.Object(o.name)
	if !ok {
		return nil
	}
	q := schema.BackQuote(o.db) + "." + schema.BackQuote(o.name)
	m := func(sql string) mutation { return mutation{sql: sql, db: o.db, object: o.name} }
	var out []mutation
	out = append(out,
		m("DROP "+map[bool]string{true: "DICTIONARY", false: "TABLE"}[obj.Kind() == schema.KindDictionary]+" "+q+" SYNC"),
		mutation{sql: "RENAME " + map[bool]string{true: "DICTIONARY", false: "TABLE"}[obj.Kind() == schema.KindDictionary] + " " + q + " TO " +
			schema.BackQuote(o.db) + "." + schema.BackQuote(o.name+"_mut"), db: o.db, object: o.name, also: o.name + "_mut"},
		mutation{sql: "CREATE TABLE " + schema.BackQuote(o.db) + ".`mut_extra` (x UInt8) ENGINE = Memory", db: o.db, object: "mut_extra"},
	)
	switch t := obj.(type) {
	case *schema.Table:
		out = append(out, m("ALTER TABLE "+q+" ADD COLUMN `mut_c` UInt8"),
			m("ALTER TABLE "+q+" MODIFY COMMENT 'mutated'"))
		keyCols := keyColumns(t)
		for _, c := range t.Columns {
			n := q + " "
			col := schema.BackQuote(c.Name)
			out = append(out,
				m("ALTER TABLE "+n+"COMMENT COLUMN "+col+" 'mutated'"),
				m("ALTER TABLE "+n+"RENAME COLUMN "+col+" TO `mut_renamed`"))
			if keyCols[c.Name] {
				continue
			}
			out = append(out,
				m("ALTER TABLE "+n+"DROP COLUMN "+col),
				m("ALTER TABLE "+n+"MODIFY COLUMN "+col+" "+otherType(c.Type)))
			if c.Default == nil {
				out = append(out, m("ALTER TABLE "+n+"MODIFY COLUMN "+col+" DEFAULT defaultValueOfTypeName("+schema.QuoteString(string(c.Type))+")"))
			} else if c.Default.Kind == schema.Default || c.Default.Kind == schema.Materialized {
				out = append(out, m("ALTER TABLE "+n+"MODIFY COLUMN "+col+" REMOVE "+string(c.Default.Kind)))
			}
			if t.Engine.IsMergeTree() {
				out = append(out, m("ALTER TABLE "+n+"MODIFY COLUMN "+col+" CODEC(ZSTD(7))"))
				if c.TTL != "" {
					out = append(out, m("ALTER TABLE "+n+"MODIFY COLUMN "+col+" REMOVE TTL"))
				}
			}
			if c.Comment != "" {
				out = append(out, m("ALTER TABLE "+n+"MODIFY COLUMN "+col+" REMOVE COMMENT"))
			}
		}
		for _, i := range t.Indexes {
			out = append(out, m("ALTER TABLE "+q+" DROP INDEX "+schema.BackQuote(i.Name)))
		}
		for _, p := range t.Projections {
			out = append(out, m("ALTER TABLE "+q+" DROP PROJECTION "+schema.BackQuote(p.Name)))
		}
		for _, k := range t.Constraints {
			out = append(out, m("ALTER TABLE "+q+" DROP CONSTRAINT "+schema.BackQuote(k.Name)))
		}
		for _, s := range t.Settings {
			out = append(out, m("ALTER TABLE "+q+" RESET SETTING "+s.Name))
		}
		if t.Engine.IsMergeTree() {
			out = append(out,
				m("ALTER TABLE "+q+" ADD CONSTRAINT `mut_k` CHECK 1"),
				m("ALTER TABLE "+q+" MODIFY SETTING merge_with_ttl_timeout = 3601"),
				m("ALTER TABLE "+q+" MODIFY SETTING min_bytes_for_wide_part = 1"))
			if len(t.Columns) > 0 {
				out = append(out, m("ALTER TABLE "+q+" ADD INDEX `mut_i` "+schema.BackQuote(t.Columns[0].Name)+" TYPE minmax GRANULARITY 3"))
			}
			if t.TTL != "" {
				out = append(out, m("ALTER TABLE "+q+" REMOVE TTL"))
			}
			for _, c := range t.Columns {
				if (strings.HasPrefix(string(c.Type), "Date")) && c.Default == nil {
					out = append(out, m("ALTER TABLE "+q+" MODIFY TTL "+schema.BackQuote(c.Name)+" + toIntervalDay(4242)"))
					break
				}
			}
		}
	case *schema.View:
		if !t.Materialized {
			out = append(out, m("CREATE OR REPLACE VIEW "+q+" AS SELECT 'mutated' AS m"))
		}
		out = append(out, m("ALTER TABLE "+q+" MODIFY COMMENT 'mutated'"))
	case *schema.Dictionary:
		x := *t
		x.Lifetime = schema.DictionaryLifetime{Min: 7, Max: 4242}
		out = append(out, m(strings.Replace(schema.RenderDictionary(&x), "CREATE DICTIONARY", "CREATE OR REPLACE DICTIONARY", 1)))
		if !strings.Contains(schema.RenderDictionary(&x), "COMMENT") {
			x.Comment = "mutated"
			out = append(out, m(strings.Replace(schema.RenderDictionary(&x), "CREATE DICTIONARY", "CREATE OR REPLACE DICTIONARY", 1)))
		}
	}
	if ed, ok := expected.Database(o.db); ok && !ed.CommentUnknown {
		// A database no migration created (the session's) has a comment
		// the model does not know: it is not compared.
		out = append(out, mutation{sql: "ALTER DATABASE " + schema.BackQuote(o.db) + " MODIFY COMMENT 'mutated'", db: o.db})
	}
	return out
}

// keyColumns are the columns a table's keys read, which the server will not
// drop or retype.
func keyColumns(t *schema.Table) map[string]bool {
	out := map[string]bool{}
	keys := string(t.OrderBy) + " " + string(t.PartitionBy) + " " + string(t.PrimaryKey) + " " + string(t.SampleBy)
	for _, c := range t.Columns {
		if strings.Contains(keys, c.Name) {
			out[c.Name] = true
		}
	}
	return out
}

// otherType is a type different from t that most values convert to.
func otherType(t schema.Type) string {
	switch s := string(t); {
	case strings.HasPrefix(s, "Nullable("):
		return strings.TrimSuffix(strings.TrimPrefix(s, "Nullable("), ")")
	case s == "String":
		return "LowCardinality(String)"
	case s == "UInt64":
		return "Int64"
	}
	return "String"
}

// mutate applies one random mutation to an object the check found equal and
// reports a failure when the diff does not see it.
func (r *Runner) mutate(ctx context.Context, sb *sandbox, res *Result, seed uint64) (Failure, bool) {
	if len(res.checked) == 0 || res.live == nil {
		return Failure{}, false
	}
	rnd := rand.New(rand.NewPCG(seed, 11))
	o := res.checked[rnd.IntN(len(res.checked))]
	ms := r.mutationsFor(res.live, res.expected, o)
	rnd.Shuffle(len(ms), func(i, j int) { ms[i], ms[j] = ms[j], ms[i] })
	for _, m := range ms[:min(4, len(ms))] {
		f, applied := r.tryMutation(ctx, sb, res, m)
		if applied {
			return f, f.Kind != ""
		}
	}
	return Failure{}, false
}

// mutateWith applies a mutation given as SQL, to reproduce a failure.
func (r *Runner) mutateWith(ctx context.Context, sb *sandbox, res *Result, sql string) (Failure, bool) {
	sql = strings.ReplaceAll(sql, DBVar, sb.db)
	if res.live == nil {
		return Failure{}, false
	}
	for _, o := range res.checked {
		for _, m := range r.mutationsFor(res.live, res.expected, o) {
			if m.sql == sql {
				f, applied := r.tryMutation(ctx, sb, res, m)
				return f, applied && f.Kind != ""
			}
		}
	}
	return Failure{}, false
}

// tryMutation runs m. applied is false when the server refused it or it
// changed nothing the server reports; otherwise f is a failure when the
// diff missed it (zero when it caught it).
func (r *Runner) tryMutation(ctx context.Context, sb *sandbox, res *Result, m mutation) (f Failure, applied bool) {
	before, err := fingerprint(ctx, sb, res.dbs)
	if err != nil {
		return Failure{}, false
	}
	if err := sb.conn.Exec(ctx, m.sql); err != nil {
		return Failure{}, false
	}
	after, err := fingerprint(ctx, sb, res.dbs)
	if err != nil || after == before {
		return Failure{}, false
	}
	res.Mutations++
	// diff's own path: the live schema read and narrowed as diff does, and
	// the server asked to canonicalise what differs (which must not hide
	// a real change).
	live, _, err := r.readLive(ctx, sb, res.dbs, res.expected)
	if err != nil {
		return Failure{Kind: KindLiveError, Detail: "after a live-side change: " + err.Error(), Mutation: m.sql}, true
	}
	expected, err := cloneSchema(res.expected)
	if err != nil {
		return Failure{}, false
	}
	res.footprint.Narrow(expected, live, res.managed)
	var rep *drift.Report
	guard(res, "diff after a live-side change", func() {
		if _, err := drift.Canonicalize(ctx, sb.conn, expected, live); err != nil {
			res.Failures = append(res.Failures, Failure{Kind: KindLiveError, Detail: "server canonicalisation: " + err.Error(), Mutation: m.sql})
		}
		rep = drift.Diff(expected, live, res.notes, nil, res.dbs)
	})
	if rep == nil {
		return Failure{}, true
	}
	for _, e := range diff.Entries(rep.Result) {
		if e.Action == "unverified" || e.Database != m.db {
			continue
		}
		if e.Object == m.object || (m.also != "" && e.Object == m.also) {
			res.Caught++
			return Failure{}, true
		}
	}
	var seen []string
	for _, e := range diff.Entries(rep.Result) {
		seen = append(seen, e.Name()+" "+e.Action)
	}
	detail := "the diff does not report it"
	if len(seen) > 0 {
		detail += "; it reports only: " + strings.Join(seen, ", ")
	}
	what := schema.QualifiedName{Database: m.db, Name: m.object}.String()
	return Failure{Kind: KindMissedMutation, Object: what, Detail: detail, Mutation: normalizeNames(m.sql)}, true
}

// fingerprint is what the server reports about the databases dbs (nil: all
// of the case's), in its own words: a change that leaves it unchanged
// changed nothing.
func fingerprint(ctx context.Context, sb *sandbox, dbs []string) (string, error) {
	in := "has({dbs:Array(String)}, %s)"
	if dbs == nil {
		in = "startsWith(%s, {prefix:String})"
	}
	q := fmt.Sprintf(`SELECT toString((
		(SELECT groupArray((database, name, create_table_query, comment)) FROM (SELECT * FROM system.tables WHERE `+in+` ORDER BY database, name)),
		(SELECT groupArray((database, table, name, type, default_kind, default_expression, comment, compression_codec))
			FROM (SELECT * FROM system.columns WHERE `+in+` ORDER BY database, table, position)),
		(SELECT groupArray((database, table, name, expr, type_full, granularity)) FROM (SELECT * FROM system.data_skipping_indices WHERE `+in+` ORDER BY ALL)),
		(SELECT groupArray((name, engine, comment)) FROM (SELECT * FROM system.databases WHERE `+in+` ORDER BY name)),
		(SELECT groupArray((name, create_query)) FROM (SELECT * FROM system.functions WHERE startsWith(name, {fn:String}) ORDER BY name))))`,
		"database", "database", "database", "name")
	var s string
	err := sb.conn.QueryRow(clickhouse.Context(ctx, clickhouse.WithParameters(clickhouse.Parameters{
		"dbs": "['" + strings.Join(dbs, "','") + "']", "prefix": sb.db, "fn": sb.fn})), q).Scan(&s)
	return s, err
}
