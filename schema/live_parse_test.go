package schema

import (
	"context"
	"reflect"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

func TestParseEngineFull(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Storage
	}{
		{"bare engine", "Memory", Storage{Engine: Engine{Name: "Memory"}}},
		{
			name: "params, ttl and settings",
			in:   "ReplacingMergeTree(ver) PARTITION BY toYYYYMM(ts) ORDER BY (id, ts) TTL ts + toIntervalDay(30) SETTINGS index_granularity = 4096, storage_policy = 'x y'",
			want: Storage{
				Engine:   Engine{Name: "ReplacingMergeTree", Params: []Expr{"ver"}},
				TTL:      "ts + toIntervalDay(30)",
				Settings: Settings{{Name: "index_granularity", Value: "4096"}, {Name: "storage_policy", Value: "'x y'"}},
			},
		},
		{
			name: "quoted params with commas and keywords",
			in:   "Distributed('c, TTL', 'db', 't', rand())",
			want: Storage{Engine: Engine{Name: "Distributed", Params: []Expr{"'c, TTL'", "'db'", "'t'", "rand()"}}},
		},
		{
			name: "ttl with a move rule",
			in:   "MergeTree ORDER BY id TTL ts + toIntervalDay(1) TO VOLUME 'cold', ts + toIntervalDay(9) SETTINGS index_granularity = 8192",
			want: Storage{
				Engine:   Engine{Name: "MergeTree"},
				TTL:      "ts + toIntervalDay(1) TO VOLUME 'cold', ts + toIntervalDay(9)",
				Settings: Settings{{Name: "index_granularity", Value: "8192"}},
			},
		},
		{
			// Columns called SETTINGS and TTL, printed bare by the server.
			name: "keyword columns",
			in:   "MergeTree ORDER BY TTL TTL SETTINGS + toIntervalDay(1) SETTINGS index_granularity = 8192",
			want: Storage{
				Engine:   Engine{Name: "MergeTree"},
				TTL:      "SETTINGS + toIntervalDay(1)",
				Settings: Settings{{Name: "index_granularity", Value: "8192"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseEngineFull(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestCreateTableQueryParts(t *testing.T) {
	create := "CREATE TABLE db.t (`id` UInt64, `ts` DateTime DEFAULT now() COMMENT 'has TTL in it' CODEC(Delta(4), ZSTD(3)), " +
		"`v` UInt32 TTL ts + toIntervalDay(1), `w` String TTL ts + toIntervalDay(2) SETTINGS (max_compress_block_size = 1), " +
		"INDEX i id TYPE minmax GRANULARITY 1, CONSTRAINT c CHECK id > 0, CONSTRAINT `a b` ASSUME v < 10, " +
		"PROJECTION p (SELECT id ORDER BY id)) ENGINE = MergeTree ORDER BY id TTL ts + toIntervalDay(3)"
	ttls := columnTTLsFromCreate(create)
	wantTTL := map[string]Expr{"v": "ts + toIntervalDay(1)", "w": "ts + toIntervalDay(2)"}
	if !reflect.DeepEqual(ttls, wantTTL) {
		t.Errorf("column TTLs = %v, want %v", ttls, wantTTL)
	}
	cs := constraintsFromCreate(create)
	wantCs := []*Constraint{{Name: "c", Kind: Check, Expr: "id > 0"}, {Name: "a b", Kind: Assume, Expr: "v < 10"}}
	if !reflect.DeepEqual(cs, wantCs) {
		t.Errorf("constraints = %+v %+v", cs[0], cs[1])
	}
}

func TestMVTargetFromCreate(t *testing.T) {
	tests := []struct{ name, in, db, table string }{
		{"qualified", "CREATE MATERIALIZED VIEW db.mv TO db2.dst (`id` UInt64) AS SELECT 1", "db2", "dst"},
		{"quoted", "CREATE MATERIALIZED VIEW db.mv TO `my db`.`d.st` (`id` UInt64) AS SELECT 1", "my db", "d.st"},
		{"unqualified", "CREATE MATERIALIZED VIEW db.mv TO dst (`id` UInt64) AS SELECT 1", "cur", "dst"},
		{"inner table", "CREATE MATERIALIZED VIEW db.mv (`id` UInt64) ENGINE = MergeTree ORDER BY id AS SELECT 1 AS TO", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, table := mvTargetFromCreate(tt.in, "cur")
			if db != tt.db || table != tt.table {
				t.Errorf("got %q.%q, want %q.%q", db, table, tt.db, tt.table)
			}
		})
	}
}

func TestParseDictionaryQuery(t *testing.T) {
	create := "CREATE DICTIONARY db.d (`id` UInt64, `name` String DEFAULT 'n' INJECTIVE, `p` UInt64 HIERARCHICAL, `e` String EXPRESSION upper(name)) " +
		"PRIMARY KEY id SOURCE(CLICKHOUSE(TABLE 'src' DB 'db' QUERY 'SELECT 1, 2')) LIFETIME(MIN 10 MAX 300) " +
		"LAYOUT(RANGE_HASHED(RANGE_LOOKUP_STRATEGY 'max')) RANGE(MIN start MAX end) SETTINGS(format_csv_allow_single_quotes = 0) COMMENT 'x'"
	var x Dictionary
	if err := parseDictionaryQuery(&x, create); err != nil {
		t.Fatal(err)
	}
	want := Dictionary{
		Attributes: []*DictionaryAttribute{
			{Name: "id", Type: "UInt64"},
			{Name: "name", Type: "String", Default: "'n'", Injective: true},
			{Name: "p", Type: "UInt64", Hierarchical: true},
			{Name: "e", Type: "String", Expression: "upper(name)"},
		},
		PrimaryKey: []string{"id"},
		Source:     DictionarySource{Type: "CLICKHOUSE", Params: []DictParam{{"TABLE", "'src'"}, {"DB", "'db'"}, {"QUERY", "'SELECT 1, 2'"}}},
		Layout:     DictionaryLayout{Type: "RANGE_HASHED", Params: []DictParam{{"RANGE_LOOKUP_STRATEGY", "'max'"}}},
		Lifetime:   DictionaryLifetime{Min: 10, Max: 300},
		Range:      &DictionaryRange{Min: "start", Max: "end"},
		Settings:   Settings{{Name: "format_csv_allow_single_quotes", Value: "0"}},
	}
	if !reflect.DeepEqual(x, want) {
		t.Errorf("got  %+v\nwant %+v", x, want)
	}
}

func TestParseDictionaryQueryRejects(t *testing.T) {
	var x Dictionary
	if err := parseDictionaryQuery(&x, "CREATE DICTIONARY db.d (`id` UInt64) PRIMARY KEY id SOURCE(CLICKHOUSE(TABLE)) LAYOUT(FLAT())"); err == nil {
		t.Error("odd SOURCE parameters accepted")
	}
}

func TestParseFunctionQuery(t *testing.T) {
	params, body, err := parseFunctionQuery("CREATE FUNCTION f AS (a, `b c`) -> (a + 1) * 2")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(params, []string{"a", "b c"}) || body != "(a, `b c`) -> (a + 1) * 2" {
		t.Errorf("params %q body %q", params, body)
	}
	params, body, err = parseFunctionQuery("CREATE FUNCTION f AS (x) -> (x * 2)")
	if err != nil || len(params) != 1 || body != "x -> (x * 2)" {
		t.Errorf("one parameter: %q %q %v", params, body, err)
	}
}

func TestNewLiveReaderValidates(t *testing.T) {
	if _, err := NewLiveReader(nil, LiveOptions{Databases: []string{"x"}}); err == nil {
		t.Error("nil Querier accepted")
	}
	var q Querier = nilQuerier{}
	if _, err := NewLiveReader(q, LiveOptions{}); err == nil {
		t.Error("no databases accepted")
	}
	if _, err := NewLiveReader(q, LiveOptions{AllDatabases: true}); err != nil {
		t.Errorf("AllDatabases refused: %v", err)
	}
}

type nilQuerier struct{}

func (nilQuerier) Query(context.Context, string, ...any) (driver.Rows, error) { return nil, nil }

// TestCrossCheck: a storage the parser read without a part engine_full
// has is named; one read in full is not.
func TestCrossCheck(t *testing.T) {
	const ef = "MergeTree ORDER BY a TTL d + toIntervalDay(1) SETTINGS index_granularity = 8192, merge_with_ttl_timeout = 60"
	full := Storage{Engine: Engine{Name: "MergeTree"}, TTL: "d + toIntervalDay(1)",
		Settings: Settings{{Name: "index_granularity", Value: "8192"}, {Name: "merge_with_ttl_timeout", Value: "60"}}}
	if r := crossCheck(full, ef); r != "" {
		t.Errorf("read in full: %s", r)
	}
	noTTL := full
	noTTL.TTL = ""
	if r := crossCheck(noTTL, ef); r == "" {
		t.Error("a storage read without its TTL passes")
	}
	noSetting := full
	noSetting.Settings = full.Settings[:1]
	if r := crossCheck(noSetting, ef); r == "" {
		t.Error("a storage read without a setting passes")
	}
}

// TestCrossCheckElements: a constraint or a column TTL the parser did not
// read is named.
func TestCrossCheckElements(t *testing.T) {
	const create = "CREATE TABLE db.t (`a` UInt8 TTL d + toIntervalDay(1), `d` Date, CONSTRAINT c CHECK a > 0) ENGINE = MergeTree ORDER BY d"
	cons := []*Constraint{{Name: "c", Kind: Check, Expr: "a > 0"}}
	ttl := map[string]Expr{"a": "d + toIntervalDay(1)"}
	if r := crossCheckElements(cons, ttl, create); r != "" {
		t.Errorf("read in full: %s", r)
	}
	if r := crossCheckElements(nil, ttl, create); r == "" {
		t.Error("a definition read without its constraint passes")
	}
	if r := crossCheckElements(cons, nil, create); r == "" {
		t.Error("a definition read without its column TTL passes")
	}
}
