package parser

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/chschema/chschema/schema"
)

// The session settings that change what a CREATE or ALTER means (read from
// the descriptions in system.settings). A SET in a section lasts until the
// section ends (its session); the replayer follows them:
//
//   - flatten_nested = 0 keeps a Nested column one column, Nested(...),
//     instead of one Array column per field (CREATE and ALTER ADD COLUMN);
//   - data_type_default_nullable = 1 makes every column a CREATE declares
//     with a type and without NULL or NOT NULL Nullable, as the server's
//     makeNullable does: a type that cannot be inside Nullable (Array,
//     Map, Tuple, LowCardinality, ...) is refused, as the server refuses
//     it; ALTER ADD/MODIFY COLUMN are not affected;
//   - enable_nullable_tuple_type = 1 lets Tuple (and Point) be made
//     Nullable by the above;
//   - create_if_not_exists = 1 makes every CREATE a CREATE … IF NOT EXISTS.
//
// The others in unmodelledSettings change how the server stores the
// objects created or changed after them (view column types, SQL SECURITY,
// every default at once): the model does not follow them, and marks those
// objects uncertain, naming the SET.

// unmodelledSettings are the session settings that change the meaning of
// later DDL in ways the model does not follow, with what they change.
var unmodelledSettings = map[string]string{
	"cast_keep_nullable":                     "the types of columns inferred from CAST",
	"join_use_nulls":                         "the types of view columns read through a JOIN",
	"group_by_use_nulls":                     "the types of view columns read through GROUP BY ROLLUP/CUBE/GROUPING SETS",
	"union_default_mode":                     "what a view's UNION means",
	"compatibility":                          "the defaults of many settings at once",
	"default_view_definer":                   "a view's DEFINER",
	"default_normal_view_sql_security":       "a view's SQL SECURITY",
	"default_materialized_view_sql_security": "a materialized view's SQL SECURITY",
	"enable_analyzer":                        "how view columns are inferred",
	"allow_experimental_analyzer":            "how view columns are inferred",
	"aggregate_functions_null_for_empty":     "the aggregate functions a view's query calls",
	"data_type_default_nullable":             "", // modelled
	"flatten_nested":                         "", // modelled
	"enable_nullable_tuple_type":             "", // modelled
	"create_if_not_exists":                   "", // modelled: every CREATE is IF NOT EXISTS
}

// setValue is a session setting as a SET gave it, or as a statement gave
// itself in its own SETTINGS (stmt_settings.go).
type setValue struct {
	value string
	pos   schema.Position
	// inStatement says the statement's own SETTINGS gave it; opaque that
	// they gave it to a part of the statement (a subquery) the model does
	// not follow it into.
	inStatement, opaque bool
}

// sessionSettings are the settings the statements of a section SET so far.
type sessionSettings map[string]setValue

// bool reads a boolean setting: its value (def when never SET), where it
// was SET, and ok false when the value is not one chschema can read.
func (s sessionSettings) bool(name string, def bool) (v bool, at schema.Position, set, ok bool) {
	sv, set := s[name]
	if !set || sv.opaque {
		return def, schema.Position{}, false, true
	}
	v, ok = settingBool(sv.value)
	return v, sv.pos, true, ok
}

// settingBool reads a boolean setting's value as the server does: 0 or 1
// (any other number is true), true or false in any case.
func settingBool(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	if n, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
		return n != 0, true
	}
	return false, false
}

// describe describes a setting for messages: "name = value (SET at
// file:line:col)", or where in the statement it was given.
func (s sessionSettings) describe(name string) string {
	sv := s[name]
	switch {
	case sv.opaque:
		return fmt.Sprintf("%s = %s (in the SETTINGS of a subquery or of a view's storage)", name, sv.value)
	case sv.inStatement:
		return fmt.Sprintf("%s = %s (in the statement's own SETTINGS)", name, sv.value)
	}
	return fmt.Sprintf("%s = %s (SET at %s)", name, sv.value, sv.pos)
}

// unmodelled lists, in name order, the settings SET so far whose effect
// on DDL the model does not follow, and the values that it cannot read of
// those it follows.
func (s sessionSettings) unmodelled() []string {
	var out []string
	for name, sv := range s {
		what, known := unmodelledSettings[name]
		switch {
		case !known:
		case what != "":
			out = append(out, fmt.Sprintf("%s (it changes %s)", s.describe(name), what))
		case sv.opaque:
			out = append(out, s.describe(name)+" (the model does not follow it there)")
		default:
			if _, ok := settingBool(sv.value); !ok {
				out = append(out, s.describe(name)+" (a value chschema cannot read)")
			}
		}
	}
	sort.Strings(out)
	return out
}

// nullableFamilies are the type families the server refuses inside
// Nullable (ClickHouse 26.7: "Nested type ... cannot be inside Nullable
// type", or Nullable Tuple without enable_nullable_tuple_type).
var notNullable = map[string]bool{
	"Array": true, "LowCardinality": true, "Map": true, "Nested": true, "Variant": true, "Dynamic": true,
	"AggregateFunction": true, "Geometry": true, "Ring": true, "LineString": true, "MultiLineString": true,
	"Polygon": true, "MultiPolygon": true, "Object": true, "Nothing": true, "Nullable": true,
}

// tupleFamilies are Nullable only with enable_nullable_tuple_type.
var tupleFamilies = map[string]bool{"Tuple": true, "Point": true}

// defaultNullable is the type data_type_default_nullable gives a column
// declared as typ (canonical) without NULL or NOT NULL, or an error when
// the server refuses it.
func (c *converter) defaultNullable(name string, typ schema.Type) (schema.Type, error) {
	on, _, set, ok := c.sess.bool("data_type_default_nullable", false)
	if !set || !ok || !on {
		return typ, nil
	}
	family, _, _ := strings.Cut(string(typ), "(")
	if family == "Nullable" {
		return typ, nil
	}
	tuples, _, _, _ := c.sess.bool("enable_nullable_tuple_type", false)
	if notNullable[family] || tupleFamilies[family] && !tuples {
		return "", fmt.Errorf("%w: %s makes column %s Nullable(%s), which the server refuses: declare it NOT NULL",
			schema.ErrInvalid, c.sess.describe("data_type_default_nullable"), schema.BackQuote(name), typ)
	}
	return "Nullable(" + typ + ")", nil
}

// flattenNested reports whether a Nested column becomes one Array column
// per field (flatten_nested, 1 by default).
func (c *converter) flattenNested() bool {
	on, _, _, ok := c.sess.bool("flatten_nested", true)
	return on || !ok
}

// isSetStatement reports whether sql starts with SET (comments skipped),
// without scanning the rest of it.
func isSetStatement(sql string) bool {
	t, _, ok := nextSQLTok(sql, 0)
	return ok && t.is("SET")
}

// noteSet records the settings of a SET statement at pos.
func (r *Replayer) noteSet(pos schema.Position, sql string) {
	if !isSetStatement(sql) {
		return
	}
	set, ok := SessionSettings(Statement{Text: sql})
	if !ok {
		return
	}
	if r.settings == nil {
		r.settings = sessionSettings{}
	}
	for k, v := range set {
		r.settings[k] = setValue{value: v, pos: pos}
	}
}

// markUnmodelled makes the objects a statement creates or changes
// uncertain while a SET the model does not follow is in force.
func (r *Replayer) markUnmodelled(pos schema.Position, conv *Conversion) {
	sess := r.settings
	if conv.settings != nil {
		sess = conv.settings // with the statement's own SETTINGS
	}
	if len(sess) == 0 {
		return
	}
	why := sess.unmodelled()
	if len(why) == 0 {
		return
	}
	var objs []schema.QualifiedName
	for _, c := range conv.Changes {
		switch c.(type) {
		case *schema.AddTable, *schema.AddView, *schema.AddDictionary, *schema.ModifyTable:
			o, _ := touched(c)
			objs = append(objs, o...)
		}
	}
	if len(objs) == 0 {
		return
	}
	reason := "created or changed under settings the model does not follow: " + strings.Join(why, "; ")
	r.findings = append(r.findings, Finding{Pos: pos, Reason: reason, Objects: objs})
	_ = r.schema.Apply(&schema.MarkUncertain{Objects: objs, Reason: schema.Uncertainty{Reason: reason, Pos: pos}})
}
