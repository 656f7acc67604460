package parser_test

import (
	"testing"

	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// The expected values below are what ClickHouse 26.7 reports in
// system.columns for the same input; the oracle test checks them against
// the server again.

func TestNormalizeType(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"INT", "INT", "Int32"},
		{"INTEGER", "integer", "Int32"},
		{"BIGINT", "BIGINT", "Int64"},
		{"display width", "INT(11)", "Int32"},
		{"unsigned", "BIGINT UNSIGNED", "UInt64"},
		{"double precision", "DOUBLE PRECISION", "Float64"},
		{"varchar", "VARCHAR(255)", "String"},
		{"text", "TEXT", "String"},
		{"character varying", "CHARACTER VARYING(5)", "String"},
		{"binary is fixed", "BINARY(4)", "FixedString(4)"},
		{"boolean", "BOOLEAN", "Bool"},
		{"decimal spacing", "Decimal(10,2)", "Decimal(10, 2)"},
		{"decimal default scale", "NUMERIC(5)", "Decimal(5, 0)"},
		{"decimal default", "Decimal", "Decimal(10, 0)"},
		{"decimal32", "Decimal32(2)", "Decimal(9, 2)"},
		{"timestamp", "TIMESTAMP", "DateTime"},
		{"datetime time zone", "DateTime('UTC')", "DateTime('UTC')"},
		{"datetime64", "datetime64(6, 'Asia/Tokyo')", "DateTime64(6, 'Asia/Tokyo')"},
		{"nullable", "Nullable(INT)", "Nullable(Int32)"},
		{"low cardinality", "LowCardinality(Nullable(String))", "LowCardinality(Nullable(String))"},
		{"map", "Map(String,UInt64)", "Map(String, UInt64)"},
		{"named tuple", "Tuple(a String,b UInt8)", "Tuple(a String, b UInt8)"},
		{"quoted tuple name", "Tuple(`a b` String)", "Tuple(`a b` String)"},
		{"enum numbering", "Enum('a','b')", "Enum8('a' = 1, 'b' = 2)"},
		{"enum continues", "Enum('a'=5,'b')", "Enum8('a' = 5, 'b' = 6)"},
		{"enum16 by range", "Enum('big' = 300)", "Enum16('big' = 300)"},
		{"aggregate function", "AggregateFunction(quantiles(0.5,0.9),UInt64)", "AggregateFunction(quantiles(0.5, 0.9), UInt64)"},
		{"versioned aggregate state", "AggregateFunction(sumMap, Array(UInt8), Array(UInt64))", "AggregateFunction(1, sumMap, Array(UInt8), Array(UInt64))"},
		{"mapped arrays alias", "AggregateFunction(minMappedArrays, Array(UInt8), Array(UInt64))", "AggregateFunction(1, minMap, Array(UInt8), Array(UInt64))"},
		{"inet", "INET6", "IPv6"},
		{"json settings first", "JSON(a.b UInt32, SKIP REGEXP 'x.*', max_dynamic_types=3)", "JSON(max_dynamic_types=3, `a.b` UInt32, SKIP REGEXP 'x.*')"},
		{"json without arguments", "json()", "JSON"},
		{"json paths sorted", "JSON(z.b UInt8, c String, SKIP z.c, SKIP `we ird`.b, SKIP a, SKIP REGEXP 'z', SKIP REGEXP 'a', max_dynamic_types=3, max_dynamic_paths=5)",
			"JSON(max_dynamic_types=3, max_dynamic_paths=5, c String, `z.b` UInt8, SKIP a, SKIP `we ird.b`, SKIP `z.c`, SKIP REGEXP 'a', SKIP REGEXP 'z')"},
		{"json skip once", "JSON(SKIP a, SKIP a, SKIP REGEXP 'x', SKIP REGEXP 'x', SKIP `B`, `c.b` UInt8, `c b` UInt8, C UInt8)",
			"JSON(C UInt8, `c b` UInt8, `c.b` UInt8, SKIP B, SKIP a, SKIP REGEXP 'x', SKIP REGEXP 'x')"},
		{"json quoted paths", "JSON(`B` UInt8, `select` UInt8, SKIP `c`, SKIP `from`, SKIP `e`.`f`)", "JSON(B UInt8, `select` UInt8, SKIP c, SKIP `e.f`, SKIP `from`)"},
		{"year", "YEAR", "UInt16"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parser.NormalizeType(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("NormalizeType(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNormalizeCodec(t *testing.T) {
	tests := []struct {
		name, list string
		typ        schema.Type
		want       string
	}{
		{"delta width from DateTime", "Delta, ZSTD(3)", "DateTime", "CODEC(Delta(4), ZSTD(3))"},
		{"delta width from UInt64", "Delta, ZSTD", "UInt64", "CODEC(Delta(8), ZSTD(1))"},
		{"gorilla width from Float32", "Gorilla, LZ4", "Float32", "CODEC(Gorilla(4), LZ4)"},
		{"delta through Nullable", "Delta", "Nullable(UInt32)", "CODEC(Delta(4))"},
		{"decimal width", "Delta", "Decimal(10, 2)", "CODEC(Delta(8))"},
		{"lz4hc default level", "T64, LZ4HC", "UInt64", "CODEC(T64, LZ4HC(0))"},
		{"fpc default", "FPC", "Float64", "CODEC(FPC(12))"},
		{"kept as written", "DoubleDelta, ZSTD(22)", "UInt64", "CODEC(DoubleDelta, ZSTD(22))"},
		{"case", "zstd(3)", "String", "CODEC(ZSTD(3))"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := parser.NormalizeCodec(tc.list, tc.typ); got != tc.want {
				t.Errorf("NormalizeCodec(%q, %q) = %q, want %q", tc.list, tc.typ, got, tc.want)
			}
		})
	}
}

// TestDefaultExpressions checks expression formatting through column
// defaults, the way the server re-formats them.
func TestDefaultExpressions(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"operator operands get parentheses", "1+2*3", "1 + (2 * 3)"},
		{"left-nested", "a + b + c", "(a + b) + c"},
		{"and chains stay flat", "a = 1 AND b = 2 AND c", "(a = 1) AND (b = 2) AND c"},
		{"written parentheses kept", "(a + 1)", "(a + 1)"},
		{"doubled parentheses collapse", "((a))", "(a)"},
		{"interval", "ts + INTERVAL 1 DAY", "ts + toIntervalDay(1)"},
		{"ternary", "a > 1 ? a : b", "if(a > 1, a, b)"},
		{"case", "CASE WHEN a THEN 1 ELSE 2 END", "multiIf(a, 1, 2)"},
		{"case with expression", "CASE x WHEN 1 THEN 2 END", "caseWithExpression(x, 1, 2, NULL)"},
		{"cast", "CAST(x AS String)", "CAST(x, 'String')"},
		{"double colon", "x::UInt8", "CAST(x, 'UInt8')"},
		{"double colon on a literal", "1::UInt8", "CAST('1', 'UInt8')"},
		{"substring from for", "substring(s FROM 1 FOR 2)", "substring(s, 1, 2)"},
		{"position in", "POSITION('a' IN s)", "position(s, 'a')"},
		{"dateAdd", "dateAdd(day, 1, ts)", "plus(ts, toIntervalDay(1))"},
		{"date_sub", "DATE_SUB(ts, INTERVAL 1 DAY)", "minus(ts, toIntervalDay(1))"},
		{"date_diff alias", "date_diff('hour', ts, ts)", "dateDiff('hour', ts, ts)"},
		{"between", "a BETWEEN 1 AND 2", "(a >= 1) AND (a <= 2)"},
		{"concat operator", "'a' || 'b' || 'c'", "concat('a', 'b', 'c')"},
		{"lambda body", "arrayMap(x -> x + 1, arr)", "arrayMap(x -> (x + 1), arr)"},
		{"float", "1.0", "1."},
		{"float exponent", "1e-7", "1e-7"},
		{"hex", "0x1F", "31"},
		{"string escapes", "'it''s'", `'it\'s'`},
		{"function alias", "SUBSTR(s, 1)", "substring(s, 1)"},
		{"case-insensitive name", "NOW()", "now()"},
		{"count distinct", "count(DISTINCT x)", "countDistinct(x)"},
		{"unary minus keeps parentheses", "-(k)", "-(k)"},
		{"tuple element of a call", "f(x).1", "(f(x)).1"},
		{"element access as operand", "x[1] + 1", "(x[1]) + 1"},
		{"trim", "trim(LEADING 'x' FROM s)", "trimLeft(s, 'x')"},
		{"mod", "k MOD 7", "k % 7"},
		{"div", "(k + 1) DIV 2 + k MOD 3", "intDiv((k + 1), 2) + (k % 3)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conv, err := parser.Convert("CREATE TABLE t (c UInt8 DEFAULT "+tc.in+") ENGINE = Memory", "db")
			if err != nil {
				t.Fatal(err)
			}
			if len(conv.Unsupported) > 0 {
				t.Fatalf("unsupported: %v", conv.Unsupported)
			}
			add := conv.Changes[0].(*schema.AddTable)
			if got := string(add.T.Columns[0].Default.Expr); got != tc.want {
				t.Errorf("DEFAULT %s -> %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
