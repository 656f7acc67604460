package parser

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/schema"
)

// TestIntervalUnits takes the interval unit keywords from the server's own
// syntax error, checks that intervalUnits has exactly them, and that the
// model formats INTERVAL n unit, INTERVAL 'n unit' and a string of several
// units as the server's formatter does (issue 11: INTERVAL '7 days' was
// unreadable, and a TTL with it was dropped).
func TestIntervalUnits(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	err := db.Conn.Exec(ctx, "SELECT INTERVAL '3 no_such_unit'")
	m := regexp.MustCompile(`Expected one of: (.*), end of query`).FindStringSubmatch(fmt.Sprint(err))
	if m == nil {
		t.Fatalf("the server does not list its units: %v", err)
	}
	units := strings.Split(m[1], ", ")
	if len(units) != len(intervalUnits) {
		t.Errorf("the server lists %d units, intervalUnits has %d", len(units), len(intervalUnits))
	}
	var exprs []string
	for _, u := range units {
		if _, ok := intervalUnits[u]; !ok {
			t.Errorf("unit %s: not in intervalUnits", u)
		}
		exprs = append(exprs, "d + INTERVAL 2 "+u, "d - INTERVAL '3 "+strings.ToLower(u)+"'", "INTERVAL (x + 1) * 2 "+u+" + d")
	}
	exprs = append(exprs, "d + INTERVAL '1 day 2 hours'", "d + INTERVAL '-1.50 weeks'", "d + INTERVAL '+07 DAYS'", "d + INTERVAL '1e2 seconds'",
		"d + INTERVAL x + m DAY", "d + INTERVAL 1 D + INTERVAL 2 MM", "f(INTERVAL 1 H, INTERVAL '2 ms')")
	for _, e := range exprs {
		var want string
		if err := db.Conn.QueryRow(ctx, "SELECT formatQuery("+schema.QuoteString("SELECT "+e)+")").Scan(&want); err != nil {
			t.Errorf("%s: %v", e, err)
			continue
		}
		var f exprFormatter
		x, err := f.parse(e)
		if err != nil {
			t.Errorf("%s: offline: %v", e, err)
			continue
		}
		if got := "SELECT " + f.expr(x); got != want || len(f.unsupported) > 0 {
			t.Errorf("%s: offline %q %v, the server %q", e, got, f.unsupported, want)
		}
	}
	t.Logf("%d units, %d expressions", len(units), len(exprs))
}
