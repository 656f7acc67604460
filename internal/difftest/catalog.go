// Package difftest is chschema's differential tester. It reads the surface of
// a real ClickHouse from the server's own catalogs (type families, table
// engines, skipping index types, codecs, MergeTree settings, dictionary
// layouts and sources, database engines, keywords, functions), generates
// random DDL sequences over it, runs them on the server, writes the accepted
// statements as migration files, and checks that chschema's offline expected
// schema equals what the server reports, through the same comparison
// `chschema diff` makes. Every statement the server accepts must end in one
// of two outcomes: the model matches the server, or the objects it touched
// are reported uncertain with file:line:col. Anything else is a Failure: a
// false drift, a silent drop, an error on SQL the server accepted, a panic,
// or a live change the diff does not see (mutation testing).
//
// The generator draws every value from the catalogs at run time, so a newer
// server widens what is tested without a code change. It is deterministic
// from a seed; failing cases are shrunk to a few statements and printed as
// ready-to-paste oracle corpus blocks.
package difftest

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Surface names one kind of catalog entry the tester covers.
type Surface string

// The surfaces, each read from one system table.
const (
	SurfaceType     Surface = "type family"           // system.data_type_families
	SurfaceEngine   Surface = "table engine"          // system.table_engines
	SurfaceIndex    Surface = "skipping index type"   // system.data_skipping_index_types
	SurfaceCodec    Surface = "codec"                 // system.codecs
	SurfaceSetting  Surface = "MergeTree setting"     // system.merge_tree_settings
	SurfaceLayout   Surface = "dictionary layout"     // system.dictionary_layouts
	SurfaceSource   Surface = "dictionary source"     // system.dictionary_sources
	SurfaceDBEngine Surface = "database engine"       // system.database_engines
	SurfaceAlias    Surface = "type family alias"     // system.data_type_families with alias_to
	SurfaceAggFunc  Surface = "aggregate function"    // system.functions, is_aggregate
	SurfaceKeyword  Surface = "keyword as identifier" // system.keywords
)

// Surfaces lists the surfaces in report order.
var Surfaces = []Surface{SurfaceType, SurfaceEngine, SurfaceIndex, SurfaceCodec, SurfaceSetting,
	SurfaceLayout, SurfaceSource, SurfaceDBEngine, SurfaceAlias, SurfaceAggFunc, SurfaceKeyword}

// TypeFamily is a row of system.data_type_families.
type TypeFamily struct {
	Name            string
	CaseInsensitive bool
	AliasTo         string
}

// TableEngine is a row of system.table_engines.
type TableEngine struct {
	Name                                                   string
	Settings, SkippingIndices, Projections, SortOrder, TTL bool
	Replication                                            bool
	Syntax                                                 string
}

// IndexType is a row of system.data_skipping_index_types.
type IndexType struct{ Name, Description, Syntax string }

// Codec is a row of system.codecs.
type Codec struct {
	Name                             string
	Compression, Generic, Encryption bool
	TimeSeries, Experimental         bool
	Description                      string
}

// MergeTreeSetting is a changeable, non-obsolete row of
// system.merge_tree_settings.
type MergeTreeSetting struct {
	Name, Type, Default string
	Min, Max            string // empty when NULL
	Disallowed          []string
	Experimental        bool
}

// DictLayout is a row of system.dictionary_layouts.
type DictLayout struct {
	Name    string
	Complex bool
	Syntax  string
}

// Source is a row of system.dictionary_sources.
type Source struct{ Name, Description, Syntax string }

// DatabaseEngine is a row of system.database_engines.
type DatabaseEngine struct{ Name, Syntax string }

// Catalog is the surface one server offers, read from its system tables, and
// the entries of each surface that cannot be exercised here, each with the
// rule that excludes it.
type Catalog struct {
	Version          string
	TypeFamilies     []TypeFamily
	TimeZones        []string
	Engines          []TableEngine
	IndexTypes       []IndexType
	Codecs           []Codec
	Settings         []MergeTreeSetting
	Layouts          []DictLayout
	Sources          []Source
	DatabaseEngines  []DatabaseEngine
	Keywords         []string // single-word keywords
	Aggregates       []string // aggregate functions, not aliases
	Combinators      []string // aggregate function combinators, internal ones left out
	Functions        []string // ordinary functions, not aliases, not user-defined
	Clusters         []string
	GraphiteSections int
	TCPPort          uint16
	// SessionSettings are the opt-in settings the tester's sessions turn
	// on (see optInSettings).
	SessionSettings map[string]any
	// Excluded maps a surface's entry to the rule that leaves it out of
	// the coverage denominator.
	Excluded map[Surface]map[string]string
	// unusableTypes are the families the server refuses in any table (see
	// probeTypes).
	unusableTypes map[string]bool
}

// ReadCatalog reads the server's catalogs. conn must be a session with no
// particular default database needs.
func ReadCatalog(ctx context.Context, conn driver.Conn) (*Catalog, error) {
	c := &Catalog{Excluded: map[Surface]map[string]string{}, unusableTypes: map[string]bool{}}
	type query struct {
		sql  string
		scan func(driver.Rows) error
	}
	queries := []query{
		{"SELECT version()", func(r driver.Rows) error { return r.Scan(&c.Version) }},
		{"SELECT getServerPort('tcp_port')", func(r driver.Rows) error { return r.Scan(&c.TCPPort) }},
		{"SELECT name, case_insensitive, alias_to FROM system.data_type_families ORDER BY name", func(r driver.Rows) error {
			var f TypeFamily
			var ci uint8
			if err := r.Scan(&f.Name, &ci, &f.AliasTo); err != nil {
				return err
			}
			f.CaseInsensitive = ci == 1
			c.TypeFamilies = append(c.TypeFamilies, f)
			return nil
		}},
		{"SELECT time_zone FROM system.time_zones ORDER BY time_zone", func(r driver.Rows) error {
			var s string
			err := r.Scan(&s)
			c.TimeZones = append(c.TimeZones, s)
			return err
		}},
		{`SELECT name, supports_settings, supports_skipping_indices, supports_projections, supports_sort_order,
			supports_ttl, supports_replication, syntax FROM system.table_engines ORDER BY name`, func(r driver.Rows) error {
			var e TableEngine
			var s, i, p, o, t, rep uint8
			if err := r.Scan(&e.Name, &s, &i, &p, &o, &t, &rep, &e.Syntax); err != nil {
				return err
			}
			e.Settings, e.SkippingIndices, e.Projections, e.SortOrder, e.TTL, e.Replication = s == 1, i == 1, p == 1, o == 1, t == 1, rep == 1
			c.Engines = append(c.Engines, e)
			return nil
		}},
		{"SELECT name, description, syntax FROM system.data_skipping_index_types ORDER BY name", func(r driver.Rows) error {
			var x IndexType
			err := r.Scan(&x.Name, &x.Description, &x.Syntax)
			c.IndexTypes = append(c.IndexTypes, x)
			return err
		}},
		{`SELECT name, is_compression, is_generic_compression, is_encryption, is_timeseries_codec, is_experimental, description
			FROM system.codecs ORDER BY name`, func(r driver.Rows) error {
			var x Codec
			var a, b, e, t, ex uint8
			if err := r.Scan(&x.Name, &a, &b, &e, &t, &ex, &x.Description); err != nil {
				return err
			}
			x.Compression, x.Generic, x.Encryption, x.TimeSeries, x.Experimental = a == 1, b == 1, e == 1, t == 1, ex == 1
			c.Codecs = append(c.Codecs, x)
			return nil
		}},
		{`SELECT name, type, default, ifNull(min, ''), ifNull(max, ''), disallowed_values, toString(tier) = 'Experimental'
			FROM system.merge_tree_settings WHERE NOT readonly AND NOT is_obsolete ORDER BY name`, func(r driver.Rows) error {
			var x MergeTreeSetting
			if err := r.Scan(&x.Name, &x.Type, &x.Default, &x.Min, &x.Max, &x.Disallowed, &x.Experimental); err != nil {
				return err
			}
			c.Settings = append(c.Settings, x)
			return nil
		}},
		{"SELECT name, is_complex, syntax FROM system.dictionary_layouts ORDER BY name", func(r driver.Rows) error {
			var x DictLayout
			var cx uint8
			err := r.Scan(&x.Name, &cx, &x.Syntax)
			x.Complex = cx == 1
			c.Layouts = append(c.Layouts, x)
			return err
		}},
		{"SELECT name, description, syntax FROM system.dictionary_sources ORDER BY name", func(r driver.Rows) error {
			var x Source
			err := r.Scan(&x.Name, &x.Description, &x.Syntax)
			c.Sources = append(c.Sources, x)
			return err
		}},
		{"SELECT name, syntax FROM system.database_engines ORDER BY name", func(r driver.Rows) error {
			var x DatabaseEngine
			err := r.Scan(&x.Name, &x.Syntax)
			c.DatabaseEngines = append(c.DatabaseEngines, x)
			return err
		}},
		{"SELECT keyword FROM system.keywords WHERE position(keyword, ' ') = 0 ORDER BY keyword", func(r driver.Rows) error {
			var s string
			err := r.Scan(&s)
			c.Keywords = append(c.Keywords, s)
			return err
		}},
		{"SELECT name, is_aggregate FROM system.functions WHERE alias_to = '' AND origin = 'System' ORDER BY name", func(r driver.Rows) error {
			var s string
			var agg uint8
			if err := r.Scan(&s, &agg); err != nil {
				return err
			}
			if agg == 1 {
				c.Aggregates = append(c.Aggregates, s)
			} else {
				c.Functions = append(c.Functions, s)
			}
			return nil
		}},
		// Internal combinators (is_internal) cannot be written by users.
		{"SELECT name FROM system.aggregate_function_combinators WHERE NOT is_internal ORDER BY name", func(r driver.Rows) error {
			var s string
			err := r.Scan(&s)
			c.Combinators = append(c.Combinators, s)
			return err
		}},
		{"SELECT DISTINCT cluster FROM system.clusters ORDER BY cluster", func(r driver.Rows) error {
			var s string
			err := r.Scan(&s)
			c.Clusters = append(c.Clusters, s)
			return err
		}},
		{"SELECT count() FROM system.graphite_retentions", func(r driver.Rows) error {
			var n uint64
			err := r.Scan(&n)
			c.GraphiteSections = int(n)
			return err
		}},
	}
	for _, q := range queries {
		rows, err := conn.Query(ctx, q.sql)
		if err != nil {
			return nil, fmt.Errorf("difftest: catalog: %s: %w", firstLine(q.sql), err)
		}
		for rows.Next() {
			if err := q.scan(rows); err != nil {
				rows.Close()
				return nil, fmt.Errorf("difftest: catalog: %s: %w", firstLine(q.sql), err)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("difftest: catalog: %s: %w", firstLine(q.sql), err)
		}
	}
	var err error
	if c.SessionSettings, err = optInSettings(ctx, conn); err != nil {
		return nil, err
	}
	if err := c.probeTypes(ctx, conn); err != nil {
		return nil, err
	}
	c.exclude()
	return c, nil
}

// errorCode is the server's error code in err, or 0.
func errorCode(err error) int32 {
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		return ex.Code
	}
	return 0
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// optInSettings are the settings every tester session turns on: each Bool
// setting named allow_experimental_*, allow_suspicious_* or allow_deprecated_*
// that is off. They only permit DDL the server otherwise refuses (suspicious
// LowCardinality types, old-style MergeTree arguments, Ordinary databases,
// experimental engines), the way a user's profile would; they change no
// result the model reads.
func optInSettings(ctx context.Context, conn driver.Conn) (map[string]any, error) {
	rows, err := conn.Query(ctx, `SELECT name FROM system.settings WHERE type = 'Bool' AND value = '0'
		AND match(name, '^allow_(experimental|suspicious|deprecated)_') ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("difftest: catalog: settings: %w", err)
	}
	defer rows.Close()
	out := map[string]any{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out[s] = 1
	}
	return out, rows.Err()
}

// probeTypes asks the server, for each non-alias family written bare, whether
// it can be a table column at all: the families it answers with
// DATA_TYPE_CANNOT_BE_USED_IN_TABLES (code 370) are excluded (Nothing).
func (c *Catalog) probeTypes(ctx context.Context, conn driver.Conn) error {
	for _, f := range c.TypeFamilies {
		if f.AliasTo != "" {
			continue
		}
		err := conn.Exec(ctx, "CREATE TEMPORARY TABLE difftest_probe (x "+f.Name+") ENGINE = Memory")
		if err == nil {
			_ = conn.Exec(ctx, "DROP TEMPORARY TABLE IF EXISTS difftest_probe")
			continue
		}
		if errorCode(err) == 370 { // DATA_TYPE_CANNOT_BE_USED_IN_TABLES
			c.unusableTypes[f.Name] = true
		}
	}
	return nil
}

// exclusionRule leaves out of a surface's coverage the entries this server
// cannot exercise. Each rule is derived from the catalog (a flag, a syntax,
// another system table), never from a list of what failed.
type exclusionRule struct {
	surface Surface
	why     string
	match   func(c *Catalog, name string) bool
}

// outsideAddress matches the argument names in system.table_engines.syntax and
// system.dictionary_sources.syntax that point at a system outside the
// server: a URL or URI, host:port, a connection string, a broker, a
// datasource, a script or command, a library or file path outside
// user_files, a cloud account.
var outsideAddress = regexp.MustCompile(`(?i)\b(url|uri|urls|host:port|host 'host'|connection_string|connection_settings|storage_account_url|broker|datasource|script_name|command|path_to_\w+|hdfs_host|http_proxy_url|http_proxy_urls|zoo_path|root_path|addresses_expr|catalog_url|db_path|database_name_inside_backup|path '/path|path\)|\(path)\b`)

var exclusionRules = []exclusionRule{
	{SurfaceType, "an alias of another family (alias_to); counted under that family, tested as its own surface",
		func(c *Catalog, n string) bool { return c.typeFamily(n).AliasTo != "" }},
	{SurfaceType, "the server refuses it as a table column (DATA_TYPE_CANNOT_BE_USED_IN_TABLES)",
		func(c *Catalog, n string) bool { return c.unusableTypes[n] }},
	{SurfaceEngine, "replicated (supports_replication): needs ClickHouse Keeper, which this server lacks (system.zookeeper is absent)",
		func(c *Catalog, n string) bool { return c.engine(n).Replication }},
	{SurfaceEngine, "its syntax names an outside system (system.table_engines.syntax)",
		func(c *Catalog, n string) bool {
			e := c.engine(n)
			return e.Name != "Remote" && outsideAddress.MatchString(e.Syntax)
		}},
	{SurfaceEngine, "needs ClickHouse Keeper, which this server lacks (the engine's name says Keeper)",
		func(c *Catalog, n string) bool { return strings.Contains(n, "Keeper") }},
	{SurfaceEngine, "used only through a table function or internally: its syntax is not an ENGINE clause nor a CREATE VIEW form",
		func(c *Catalog, n string) bool {
			s := c.engine(n).Syntax
			return !strings.HasPrefix(s, "ENGINE") && !strings.HasPrefix(s, "CREATE")
		}},
	{SurfaceEngine, "needs a cluster, and system.clusters is empty",
		func(c *Catalog, n string) bool { return n == "Distributed" && len(c.Clusters) == 0 }},
	{SurfaceEngine, "needs a graphite_rollup section, and system.graphite_retentions is empty",
		func(c *Catalog, n string) bool {
			return strings.Contains(c.engine(n).Syntax, "config_section") && c.GraphiteSections == 0
		}},
	{SurfaceEngine, "RemoteSecure needs a TLS port, and this server has none",
		func(c *Catalog, n string) bool { return n == "RemoteSecure" }},
	{SurfaceIndex, "deprecated: the catalog says it is no longer supported (kept only to attach old tables)",
		func(c *Catalog, n string) bool {
			return strings.HasPrefix(strings.ToLower(c.indexType(n).Description), "deprecated")
		}},
	{SurfaceCodec, "an encryption codec (is_encryption): needs keys in the server's configuration",
		func(c *Catalog, n string) bool { return c.codec(n).Encryption }},
	{SurfaceCodec, "internal: the catalog's description says it combines the codecs a user lists (CODEC(a, b) is how it is written)",
		func(c *Catalog, n string) bool {
			return strings.HasPrefix(c.codec(n).Description, "Apply multiple codecs")
		}},
	{SurfaceSource, "its syntax names an outside system (system.dictionary_sources.syntax)",
		func(c *Catalog, n string) bool {
			s := c.source(n)
			return n != "clickhouse" && n != "file" && outsideAddress.MatchString(s.Syntax)
		}},
	{SurfaceSource, "the catalog says it cannot be created from DDL or is unavailable in this build",
		func(c *Catalog, n string) bool {
			d := c.source(n).Description
			return strings.Contains(d, "cannot be created from a DDL query") || strings.Contains(d, "Currently unavailable") ||
				strings.Contains(d, "Currently disabled")
		}},
	{SurfaceSource, "experimental and needs an outside system (its syntax names a proxy)",
		func(c *Catalog, n string) bool { return strings.Contains(c.source(n).Syntax, "http_proxy") }},
	{SurfaceLayout, "needs a path on the server's disk for its cache (syntax PATH)",
		func(c *Catalog, n string) bool { return strings.Contains(c.layout(n).Syntax, "PATH") }},
	{SurfaceDBEngine, "its syntax names an outside system or a Keeper path (system.database_engines.syntax)",
		func(c *Catalog, n string) bool { return outsideAddress.MatchString(c.dbEngine(n).Syntax) }},
	{SurfaceDBEngine, "a catalog of an outside data lake, or read-only over an outside store (S3, HDFS)",
		func(c *Catalog, n string) bool {
			s := c.dbEngine(n).Syntax
			return strings.Contains(s, "catalog") || strings.Contains(s, "hdfs") || strings.Contains(s, "config_or_url")
		}},
}

func (c *Catalog) exclude() {
	for _, s := range Surfaces {
		c.Excluded[s] = map[string]string{}
	}
	for _, r := range exclusionRules {
		for _, n := range c.Names(r.surface) {
			if _, done := c.Excluded[r.surface][n]; !done && r.match(c, n) {
				c.Excluded[r.surface][n] = r.why
			}
		}
	}
}

// Names lists the entries of a surface, sorted.
func (c *Catalog) Names(s Surface) []string {
	var out []string
	switch s {
	case SurfaceType:
		for _, f := range c.TypeFamilies {
			out = append(out, f.Name)
		}
	case SurfaceAlias:
		for _, f := range c.TypeFamilies {
			if f.AliasTo != "" {
				out = append(out, f.Name)
			}
		}
	case SurfaceEngine:
		for _, e := range c.Engines {
			out = append(out, e.Name)
		}
	case SurfaceIndex:
		for _, x := range c.IndexTypes {
			out = append(out, x.Name)
		}
	case SurfaceCodec:
		for _, x := range c.Codecs {
			out = append(out, x.Name)
		}
	case SurfaceSetting:
		for _, x := range c.Settings {
			out = append(out, x.Name)
		}
	case SurfaceLayout:
		for _, x := range c.Layouts {
			out = append(out, x.Name)
		}
	case SurfaceSource:
		for _, x := range c.Sources {
			out = append(out, x.Name)
		}
	case SurfaceDBEngine:
		for _, x := range c.DatabaseEngines {
			out = append(out, x.Name)
		}
	case SurfaceAggFunc:
		out = append(out, c.Aggregates...)
	case SurfaceKeyword:
		out = append(out, c.Keywords...)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// Usable lists the entries of a surface that are not excluded.
func (c *Catalog) Usable(s Surface) []string {
	var out []string
	for _, n := range c.Names(s) {
		if _, ex := c.Excluded[s][n]; !ex {
			out = append(out, n)
		}
	}
	return out
}

func (c *Catalog) typeFamily(n string) TypeFamily {
	for _, f := range c.TypeFamilies {
		if f.Name == n {
			return f
		}
	}
	return TypeFamily{}
}

func (c *Catalog) engine(n string) TableEngine {
	for _, e := range c.Engines {
		if e.Name == n {
			return e
		}
	}
	return TableEngine{}
}

func (c *Catalog) indexType(n string) IndexType {
	for _, x := range c.IndexTypes {
		if x.Name == n {
			return x
		}
	}
	return IndexType{}
}

func (c *Catalog) codec(n string) Codec {
	for _, x := range c.Codecs {
		if x.Name == n {
			return x
		}
	}
	return Codec{}
}

func (c *Catalog) source(n string) Source {
	for _, x := range c.Sources {
		if x.Name == n {
			return x
		}
	}
	return Source{}
}

func (c *Catalog) layout(n string) DictLayout {
	for _, x := range c.Layouts {
		if x.Name == n {
			return x
		}
	}
	return DictLayout{}
}

func (c *Catalog) dbEngine(n string) DatabaseEngine {
	for _, x := range c.DatabaseEngines {
		if x.Name == n {
			return x
		}
	}
	return DatabaseEngine{}
}

func (c *Catalog) setting(n string) (MergeTreeSetting, bool) {
	for _, x := range c.Settings {
		if x.Name == n {
			return x, true
		}
	}
	return MergeTreeSetting{}, false
}
