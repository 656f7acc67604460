package parser

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/schema"
)

// TestServerEscapes derives the escape rules from the server instead of
// from memory (issue 11: '[\w\-]' lost its backslashes). For a backslash
// followed by every printable ASCII character, and a few longer escapes,
// in a string literal and in a backquoted identifier, it asserts that the
// model reads the value the server reads, and prints it the way the
// server's formatter does.
func TestServerEscapes(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	var escapes []string
	for c := byte(0x20); c < 0x7f; c++ {
		if c == 'x' {
			continue // \x needs two hex digits: below
		}
		escapes = append(escapes, `\`+string(c))
	}
	escapes = append(escapes, `\x41`, `\xfF`, `\x00`, `\é`, `a\Nb`, `\\\w`, "\x01\x07\x7f", `it''s`)
	for _, e := range escapes {
		lit := "'" + e + "'"
		if e == `\'` || e == `\\\w` || e == `it''s` {
			// complete as they are
		} else if strings.HasSuffix(e, `\`) {
			continue
		}
		var wantHex, formatted string
		// No bound arguments: clickhouse-go would read \? as one.
		if err := db.Conn.QueryRow(ctx, "SELECT hex("+lit+"), formatQuery("+schema.QuoteString("SELECT "+lit)+")").Scan(&wantHex, &formatted); err != nil {
			t.Errorf("%s: the server refuses it: %v", lit, err)
			continue
		}
		got := unescape(lit[1 : len(lit)-1])
		if h := strings.ToUpper(hex.EncodeToString([]byte(got))); h != wantHex {
			t.Errorf("string %s: the model reads %s, the server %s", lit, h, wantHex)
		}
		if p := "SELECT " + schema.QuoteString(got); p != formatted {
			t.Errorf("string %s: the model prints %q, the server %q", lit, p, formatted)
		}
		if strings.ContainsAny(e, "`") {
			continue
		}
		id := "`a" + e + "`"
		if err := db.Conn.QueryRow(ctx, "SELECT formatQuery("+schema.QuoteString("SELECT 1 AS "+id)+")").Scan(&formatted); err != nil {
			t.Errorf("identifier %s: %v", id, err)
			continue
		}
		_, name, err := unquoteAt(id, 0)
		if err != nil {
			t.Errorf("identifier %s: %v", id, err)
			continue
		}
		if p := "SELECT 1 AS " + schema.QuoteIdent(name); p != formatted {
			t.Errorf("identifier %s: the model prints %q, the server %q", id, p, formatted)
		}
	}
	t.Logf("%d escapes checked", len(escapes))
}
