package difftest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chschema/chschema/internal/chtest"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

// DefaultSeed and DefaultCases make the run of `go test ./...`: the same
// cases every time, so that CI fails or passes the same way, whatever the
// machine's speed. About a minute on the 2-core development machine.
const (
	DefaultSeed  = 20261205
	DefaultCases = 60
)

var (
	seedFlag     = flag.String("seed", "", "the run's seed, or random (default: CHSCHEMA_DIFFTEST_SEED, or DefaultSeed)")
	casesFlag    = flag.Int("cases", 0, "how many cases to run (default: CHSCHEMA_DIFFTEST_CASES, or DefaultCases; with a duration, no limit)")
	durationFlag = flag.Duration("duration", 0, "generate cases for this long instead of a number of them (default: CHSCHEMA_DIFFTEST_DURATION)")
	caseFlag     = flag.Uint64("case", 0, "run only the case with this seed (default: CHSCHEMA_DIFFTEST_CASE)")
)

// runSettings is what a run does: a seed, and either a number of cases or
// a duration (or one case alone).
type runSettings struct {
	seed     uint64
	cases    int
	duration time.Duration
	only     uint64
}

// settings reads the run's seed, cases, duration and single case from the
// flags, then the environment. Without either the run is the fixed one:
// DefaultCases cases from DefaultSeed. A seed of "random" is a new one,
// printed.
func settings(t *testing.T) runSettings {
	env := func(flagVal, name string) string {
		if flagVal != "" {
			return flagVal
		}
		return strings.TrimSpace(os.Getenv(name))
	}
	var rs runSettings
	switch v := env(*seedFlag, "CHSCHEMA_DIFFTEST_SEED"); v {
	case "":
		rs.seed = DefaultSeed
	case "random":
		rs.seed = uint64(time.Now().UnixNano())%1_000_000_007 + 1
	default:
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n == 0 {
			t.Fatalf("CHSCHEMA_DIFFTEST_SEED=%q: want a positive number or random", v)
		}
		rs.seed = n
	}
	rs.cases, rs.duration, rs.only = *casesFlag, *durationFlag, *caseFlag
	if v := env("", "CHSCHEMA_DIFFTEST_CASES"); rs.cases == 0 && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("CHSCHEMA_DIFFTEST_CASES=%q: want a positive number", v)
		}
		rs.cases = n
	}
	if v := env("", "CHSCHEMA_DIFFTEST_DURATION"); rs.duration == 0 && v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("CHSCHEMA_DIFFTEST_DURATION=%q: want a duration such as 30m", v)
		}
		rs.duration = d
	}
	if v := env("", "CHSCHEMA_DIFFTEST_CASE"); rs.only == 0 && v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("CHSCHEMA_DIFFTEST_CASE=%q: %v", v, err)
		}
		rs.only = n
	}
	if rs.cases == 0 && rs.duration == 0 {
		rs.cases = DefaultCases
	}
	return rs
}

// caseSeed is the seed of a run's i-th case (splitmix64).
func caseSeed(run uint64, i int) uint64 {
	z := run + uint64(i+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return (z ^ (z >> 31)) % 1_000_000_000_000
}

// shrinkTries bounds how many reruns shrinking one failure may take, and
// shrinkFailures how many failures of a run are shrunk (the rest are
// printed as met): a failing default run stays bounded.
const (
	shrinkTries    = 40
	shrinkFailures = 5
)

// TestDifferential generates DDL from the server's catalogs, runs it, and
// checks that the offline model equals the server (see the package
// comment): DefaultCases cases from DefaultSeed, unless the flags or
// CHSCHEMA_DIFFTEST_* ask for other ones (see settings). Every failure
// fails the test, printed shrunk, as an oracle corpus block.
func TestDifferential(t *testing.T) {
	srv := chtest.Shared(t)
	admin := srv.Connect(t, "")
	ctx := context.Background()
	cat, err := ReadCatalog(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	rs := settings(t)
	r, err := NewRunner(cat, srv.DSN, admin)
	if err != nil {
		t.Fatal(err)
	}
	if rs.only != 0 && testing.Verbose() {
		r.Trace = func(sql string, err error) {
			if err != nil {
				t.Logf("refused: %s\n    %v", sql, err)
			} else {
				t.Logf("ran: %s", sql)
			}
		}
	}
	what := fmt.Sprintf("%d cases", rs.cases)
	if rs.duration > 0 {
		what = "for " + rs.duration.String()
		if rs.cases > 0 {
			what += fmt.Sprintf(" or %d cases", rs.cases)
		}
	}
	t.Logf("difftest: ClickHouse %s, seed %d (rerun: CHSCHEMA_DIFFTEST_SEED=%d), %s", cat.Version, rs.seed, rs.seed, what)
	started := time.Now()
	deadline := started.Add(rs.duration)
	type found struct {
		f  Failure
		c  *Case
		at int
	}
	var news []found
	seen := map[string]bool{}
	// next is the seed of the i-th case, or false when the run is over.
	next := func(i int) (uint64, bool) {
		switch {
		case rs.only != 0:
			return rs.only, i == 0
		case rs.cases > 0 && i >= rs.cases, rs.duration > 0 && time.Now().After(deadline):
			return 0, false
		}
		return caseSeed(rs.seed, i), true
	}
	for i := 0; ; i++ {
		cs, more := next(i)
		if !more {
			break
		}
		res, err := r.RunCase(ctx, cs)
		if err != nil {
			t.Fatalf("case %d: %v", cs, err)
		}
		r.Stats.Cases++
		r.Stats.Verified += res.Verified
		r.Stats.Unverify += res.Unverified
		for _, w := range res.Why {
			r.Stats.Why[w]++
		}
		r.Stats.Mutations += res.Mutations
		r.Stats.Caught += res.Caught
		for _, f := range res.Failures {
			r.Stats.Failures[f.Kind]++
			if sig := f.Signature(); !seen[sig] {
				seen[sig] = true
				news = append(news, found{f, res.Case, i})
			}
		}
	}
	elapsed := time.Since(started)
	// Shrinking costs a fresh database per try: a bounded number of tries
	// for each of the first failures; the rest are printed as they were
	// met.
	for k, n := range news {
		stmts, sf, sres := n.c.Stmts, n.f, (*Result)(nil)
		if k < shrinkFailures {
			stmts, sf, sres = r.Shrink(ctx, n.c, n.f, shrinkTries)
		}
		t.Errorf("difftest: %s\n%s", n.f, CorpusBlock(n.c.Seed, sf, stmts, sres))
	}
	s := r.Stats
	t.Logf("difftest: %d cases in %s (%d void: a statement got no answer), %d statements accepted; %d objects compared, %d unverified; %d live-side changes, %d caught",
		s.Cases, elapsed.Round(time.Second), s.Void, s.Stmts, s.Verified, s.Unverify, s.Mutations, s.Caught)
	t.Logf("difftest: failures by kind: %v (%d distinct)", sortedCounts(s.Failures), len(news))
	t.Logf("difftest: coverage (accepted by the server at least once):\n%s", s.CoverageReport(testing.Verbose()))
	if testing.Verbose() {
		t.Logf("difftest: refusals per construct:\n%s", s.Refusals())
		t.Logf("difftest: objects left out as uncertain, by reason (the model's gaps, most frequent first):\n%s", topCounts(s.Why, 25))
		for _, sl := range s.Slow {
			t.Logf("difftest: slow: %s", sl)
		}
	}
}

// topCounts lists the n largest counts of m, one per line.
func topCounts(m map[string]int, n int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || m[keys[i]] == m[keys[j]] && keys[i] < keys[j] })
	var b strings.Builder
	for i, k := range keys {
		if i == n {
			fmt.Fprintf(&b, "  ... (%d more reasons)\n", len(keys)-n)
			break
		}
		fmt.Fprintf(&b, "  %6d  %s\n", m[k], k)
	}
	return b.String()
}

func sortedCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return "{" + strings.Join(parts, " ") + "}"
}
