package chschema_test

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/schema"
)

// The examples use the migrations in testdata/shop: two services, orders
// and customers, sealed in chschema.sum, with one template variable,
// RETENTION_DAYS.

// ExampleOpen loads a migrations directory offline and prints the schema
// its migrations build.
func ExampleOpen() {
	p, err := chschema.Open("testdata/shop", chschema.WithVars(map[string]string{"RETENTION_DAYS": "30"}))
	if err != nil {
		fmt.Println(err) // every problem, at its file:line:col; a *chschema.SealError for an edited released file
		return
	}
	for _, u := range p.Units() {
		fmt.Printf("%s: up statements: %d\n", u.Key(), len(u.Up))
	}
	res, err := p.Expected(chschema.ExpectedOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(schema.Render(res.Schema))
	// Output:
	// customers/0001: up statements: 1
	// orders/0001: up statements: 1
	// orders/0002: up statements: 2
	// CREATE DATABASE IF NOT EXISTS default;
	// CREATE TABLE default.customers (`id` UInt64, `name` String) ENGINE = MergeTree ORDER BY id SETTINGS index_granularity = 8192;
	// CREATE TABLE default.orders (`id` UInt64, `customer` UInt64, `amount` Decimal(10, 2), `created` DateTime DEFAULT now(), `status` LowCardinality(String) DEFAULT 'new') ENGINE = MergeTree ORDER BY id TTL created + toIntervalDay(30) SETTINGS index_granularity = 8192;
}

// ExampleProject_Migrate is a deploy job: it applies a directory, waiting
// for the server, then checks that the server holds what the migrations
// say.
func ExampleProject_Migrate() {
	ctx := context.Background()
	dsn := exampleDatabase() // in a deploy job: os.Getenv("CHSCHEMA_DSN")

	p, err := chschema.Open("testdata/shop",
		chschema.WithVars(map[string]string{"RETENTION_DAYS": "30"}),
		chschema.WithEvents(func(e chschema.Event) {
			if e, ok := e.(chschema.MigrationStarted); ok {
				fmt.Printf("[%d/%d] %s\n", e.Index, e.Count, e)
			}
		}))
	if err != nil {
		fmt.Println(err)
		return
	}
	db, err := chschema.Connect(ctx, dsn, chschema.WithWait(time.Minute))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	report, err := p.Migrate(ctx, db) // lock, init.sql, drift check, apply, record
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("applied %d migrations (%d statements)\n", len(report.Applied), report.Statements)
	d, err := p.Diff(ctx, db)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("drift:", d.Drift())
	// Output:
	// [1/3] up customers 0001_customers: 1 statement
	// [2/3] up orders 0001_orders: 1 statement
	// [3/3] up orders 0002_status: 2 statements
	// applied 3 migrations (4 statements)
	// drift: false
}

// ExampleProject_Diff finds a change made by hand on the server, and shows
// that Migrate refuses to apply over it.
func ExampleProject_Diff() {
	ctx := context.Background()
	p, err := chschema.Open("testdata/shop", chschema.WithVars(map[string]string{"RETENTION_DAYS": "30"}))
	if err != nil {
		fmt.Println(err)
		return
	}
	db, err := chschema.Connect(ctx, exampleDatabase())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	if _, err := p.Migrate(ctx, db); err != nil {
		fmt.Println(err)
		return
	}
	if err := db.Conn().Exec(ctx, "ALTER TABLE orders ADD COLUMN note String"); err != nil {
		fmt.Println(err)
		return
	}

	res, err := p.Diff(ctx, db)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range diff.Entries(res.Result) {
		fmt.Printf("%s %s %s: %s %s\n", e.Kind, e.Object, e.Action, e.Subject, e.To)
	}
	_, err = p.Migrate(ctx, db)
	fmt.Println(err)
	// Output:
	// table orders modified: column `note` `note` String
	// drift: the live schema differs from the expected one in 1 place
}

// exampleDBs are the databases the examples created, dropped by TestMain.
var exampleDBs []string

// exampleServer is the DSN of the test server (see TestMain).
var exampleServer string

// exampleDatabase creates a fresh database on the test server and returns
// a DSN whose session database it is.
func exampleDatabase() string {
	db, err := chschema.Connect(context.Background(), exampleServer)
	if err != nil {
		panic(err)
	}
	defer db.Close()
	name := fmt.Sprintf("chschema_example_%d_%d", os.Getpid(), len(exampleDBs))
	if err := db.Conn().Exec(context.Background(), "CREATE DATABASE "+name); err != nil {
		panic(err)
	}
	exampleDBs = append(exampleDBs, name)
	u, err := url.Parse(exampleServer)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

// dropExampleDatabases drops what exampleDatabase created.
func dropExampleDatabases() error {
	if len(exampleDBs) == 0 {
		return nil
	}
	db, err := chschema.Connect(context.Background(), exampleServer)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, name := range exampleDBs {
		if err := db.Conn().Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" SYNC"); err != nil {
			return err
		}
	}
	return nil
}

// skipExamplesThatNeedAServer leaves out the examples that need a server.
func skipExamplesThatNeedAServer() {
	if err := flag.Set("test.skip", "^Example(Project_Migrate|Project_Diff)$"); err != nil {
		panic(err)
	}
}
