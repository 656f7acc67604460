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

var (
	seedFlag     = flag.Uint64("seed", 0, "the run's seed (default: CHSCHEMA_DIFFTEST_SEED, or a random one, printed)")
	durationFlag = flag.Duration("duration", 0, "how long to generate cases (default: CHSCHEMA_DIFFTEST_DURATION, or 40s)")
	caseFlag     = flag.Uint64("case", 0, "run only the case with this seed (default: CHSCHEMA_DIFFTEST_CASE)")
)

// settings reads the run's seed, duration and single case from the flags,
// then the environment.
func settings(t *testing.T) (seed uint64, d time.Duration, only uint64) {
	seed, d, only = *seedFlag, *durationFlag, *caseFlag
	env := func(name string) string { return strings.TrimSpace(os.Getenv(name)) }
	var err error
	if seed == 0 && env("CHSCHEMA_DIFFTEST_SEED") != "" {
		if seed, err = strconv.ParseUint(env("CHSCHEMA_DIFFTEST_SEED"), 10, 64); err != nil {
			t.Fatalf("CHSCHEMA_DIFFTEST_SEED: %v", err)
		}
	}
	if seed == 0 {
		seed = uint64(time.Now().UnixNano()) % 1_000_000_007
	}
	if d == 0 && env("CHSCHEMA_DIFFTEST_DURATION") != "" {
		if d, err = time.ParseDuration(env("CHSCHEMA_DIFFTEST_DURATION")); err != nil {
			t.Fatalf("CHSCHEMA_DIFFTEST_DURATION: %v", err)
		}
	}
	if d == 0 {
		d = 40 * time.Second
	}
	if only == 0 && env("CHSCHEMA_DIFFTEST_CASE") != "" {
		if only, err = strconv.ParseUint(env("CHSCHEMA_DIFFTEST_CASE"), 10, 64); err != nil {
			t.Fatalf("CHSCHEMA_DIFFTEST_CASE: %v", err)
		}
	}
	return seed, d, only
}

// caseSeed is the seed of a run's i-th case (splitmix64).
func caseSeed(run uint64, i int) uint64 {
	z := run + uint64(i+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return (z ^ (z >> 31)) % 1_000_000_000_000
}

// TestDifferential generates DDL from the server's catalogs, runs it, and
// checks that the offline model equals the server (see the package
// comment). It runs for CHSCHEMA_DIFFTEST_DURATION (default 40s). Every
// failure not among issue 11's known defects fails the test, printed
// shrunk, as an oracle corpus block.
func TestDifferential(t *testing.T) {
	srv := chtest.Shared(t)
	admin := srv.Connect(t, "")
	ctx := context.Background()
	cat, err := ReadCatalog(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	seed, duration, only := settings(t)
	r, err := NewRunner(cat, srv.DSN, admin)
	if err != nil {
		t.Fatal(err)
	}
	if only != 0 && testing.Verbose() {
		r.Trace = func(sql string, err error) {
			if err != nil {
				t.Logf("refused: %s\n    %v", sql, err)
			} else {
				t.Logf("ran: %s", sql)
			}
		}
	}
	t.Logf("difftest: ClickHouse %s, seed %d (rerun: CHSCHEMA_DIFFTEST_SEED=%d), for %s", cat.Version, seed, seed, duration)
	deadline := time.Now().Add(duration)
	type found struct {
		f  Failure
		c  *Case
		at int
	}
	var news []found
	seen := map[string]bool{}
	for i := 0; ; i++ {
		cs := caseSeed(seed, i)
		if only != 0 {
			if i > 0 {
				break
			}
			cs = only
		} else if time.Now().After(deadline) {
			break
		}
		res, err := r.RunCase(ctx, cs)
		if err != nil {
			t.Fatalf("case %d: %v", cs, err)
		}
		r.Stats.Cases++
		r.Stats.Verified += res.Verified
		r.Stats.Unverify += res.Unverified
		r.Stats.Mutations += res.Mutations
		r.Stats.Caught += res.Caught
		for _, f := range res.Failures {
			r.Stats.Failures[f.Kind]++
			if k, ok := known(f, res.Case.Stmts); ok {
				r.Stats.Known[k.ID]++
				continue
			}
			if sig := f.Signature(); !seen[sig] {
				seen[sig] = true
				news = append(news, found{f, res.Case, i})
			}
		}
	}
	// Shrinking costs a fresh database per try: it gets a third of the
	// run's time, at least a minute, shared by the failures in the order
	// they were found; the rest are printed as they were met.
	shrinkUntil := time.Now().Add(max(duration/3, time.Minute))
	for _, n := range news {
		budget := min(time.Until(shrinkUntil), 45*time.Second)
		stmts, sf, sres := n.c.Stmts, n.f, (*Result)(nil)
		if budget > 2*time.Second {
			stmts, sf, sres = r.Shrink(ctx, n.c, n.f, budget)
		}
		t.Errorf("difftest: %s\n%s", n.f, CorpusBlock(n.c.Seed, sf, stmts, sres))
	}
	s := r.Stats
	t.Logf("difftest: %d cases (%d void: a statement got no answer), %d statements accepted; %d objects compared, %d unverified; %d live-side changes, %d caught",
		s.Cases, s.Void, s.Stmts, s.Verified, s.Unverify, s.Mutations, s.Caught)
	t.Logf("difftest: failures by kind: %v; known defects (issue 11): %v", sortedCounts(s.Failures), sortedCounts(s.Known))
	t.Logf("difftest: coverage (accepted by the server at least once):\n%s", s.CoverageReport(testing.Verbose()))
	if testing.Verbose() {
		t.Logf("difftest: refusals per construct:\n%s", s.Refusals())
		for _, sl := range s.Slow {
			t.Logf("difftest: slow: %s", sl)
		}
	}
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
