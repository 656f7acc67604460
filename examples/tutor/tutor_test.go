// Package tutor_test tests the Tutor recipe as far as this machine allows:
// no Docker engine and no Tutor (no PyPI), so the image is not built and the
// plugin is loaded under a stand-in for tutor.hooks (testdata/render.py); the
// binary the Dockerfile builds, the plugin's configuration and job
// definitions, and the init task against a real ClickHouse are tested here.
package tutor_test

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/chschema/chschema/internal/chtest"
	"github.com/google/go-cmp/cmp"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// staticBinary builds chschema as the Dockerfile does (CGO_ENABLED=0,
// -trimpath) and returns the directory that holds it.
func staticBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "chschema-tutor-bin-")
		if buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags", "-s -w", "-o", filepath.Join(binDir, "chschema"), "./cmd/chschema")
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

// TestBinaryIsStatic: the binary the image carries needs no dynamic loader
// and no shared library, so it runs on scratch and busybox alike.
func TestBinaryIsStatic(t *testing.T) {
	bin := filepath.Join(staticBinary(t), "chschema")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s has a program interpreter (dynamically linked)", bin)
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		t.Errorf("%s needs shared libraries %v (%v)", bin, libs, err)
	}
	if path, err := exec.LookPath("file"); err == nil {
		out, _ := exec.Command(path, bin).Output()
		if !strings.Contains(string(out), "statically linked") {
			t.Errorf("file(1): %s", out)
		}
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "chschema ") {
		t.Errorf("chschema version: %q, %v", out, err)
	}
}

// python3 with Jinja2 and PyYAML, as Tutor uses them; skipped without them,
// except in CI.
func python(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(py, "-c", "import jinja2, yaml, click").Run()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 with jinja2, yaml and click: %v", err)
		}
		t.Skipf("python3 with jinja2, yaml and click: %v", err)
	}
	return py
}

// rendered is what testdata/render.py prints.
type rendered struct {
	Config     map[string]any        `json:"config"`
	Patches    map[string][]any      `json:"patches"`
	InitTasks  [][]any               `json:"init_tasks"`
	Do         map[string][][]string `json:"do"`
	ImagesPull [][]string            `json:"images_pull"`
}

// render loads the plugin over base, a Tutor configuration.
func render(t *testing.T, base map[string]any) rendered {
	t.Helper()
	in, err := json.Marshal(base)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python(t), "testdata/render.py", ".")
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONWARNINGS=ignore")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("render.py: %v\n%s", err, stderr.String())
	}
	var r rendered
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("render.py printed %q: %v", out, err)
	}
	return r
}

// aspectsConfig is the part of a Tutor configuration with Aspects that the
// plugin reads.
func aspectsConfig(host, port, user, password, prefix string) map[string]any {
	return map[string]any{
		"DOCKER_REGISTRY":                 "docker.io/",
		"RUN_CLICKHOUSE":                  true,
		"CLICKHOUSE_HOST":                 host,
		"CLICKHOUSE_INTERNAL_NATIVE_PORT": port,
		"CLICKHOUSE_ADMIN_USER":           user,
		"CLICKHOUSE_ADMIN_PASSWORD":       password,
		"CLICKHOUSE_SECURE_CONNECTION":    false,
		"CLICKHOUSE_CLUSTER_NAME":         "",
		"ASPECTS_XAPI_DATABASE":           prefix + "xapi",
		"ASPECTS_EVENT_SINK_DATABASE":     prefix + "event_sink",
		"ASPECTS_VECTOR_DATABASE":         prefix + "openedx",
	}
}

// composeEnv is the chschema-job's environment in docker compose, as the
// container gets it ("$$" is compose's escape for "$").
func composeEnv(t *testing.T, r rendered) map[string]string {
	t.Helper()
	svc := r.Patches["local-docker-compose-jobs-services"][0].(map[string]any)["chschema-job"].(map[string]any)
	env := map[string]string{}
	for k, v := range svc["environment"].(map[string]any) {
		env[k] = strings.ReplaceAll(v.(string), "$$", "$")
	}
	return env
}

// k8sEnv is the chschema-job's environment in Kubernetes.
func k8sEnv(t *testing.T, r rendered) map[string]string {
	t.Helper()
	job := r.Patches["k8s-jobs"][0].(map[string]any)
	spec := job["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
	env := map[string]string{}
	for _, e := range spec["containers"].([]any)[0].(map[string]any)["env"].([]any) {
		m := e.(map[string]any)
		env[m["name"].(string)] = strings.ReplaceAll(m["value"].(string), "$$", "$")
	}
	return env
}

// TestPluginConfiguration: the plugin compiles; both job definitions give
// the container the same environment, built from the Aspects settings, with
// a DSN that survives any password; the init task is the script, at
// priority 94.
func TestPluginConfiguration(t *testing.T) {
	py := python(t)
	cache := t.TempDir()
	for _, f := range []string{"tutorchschema/plugin.py", "tutorchschema/__about__.py", "testdata/render.py"} {
		cmd := exec.Command(py, "-m", "py_compile", f)
		cmd.Env = append(os.Environ(), "PYTHONPYCACHEPREFIX="+cache)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("py_compile %s: %v\n%s", f, err, out)
		}
	}

	password := `p@ss/w:rd$HOME"'x%?#`
	r := render(t, aspectsConfig("clickhouse", "9000", "ch_admin", password, ""))
	compose, k8s := composeEnv(t, r), k8sEnv(t, r)
	if diff := cmp.Diff(compose, k8s); diff != "" {
		t.Errorf("docker compose and Kubernetes environments differ (-compose +k8s):\n%s", diff)
	}
	dsn := compose["CHSCHEMA_DSN"]
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("DSN %q: %v", dsn, err)
	}
	if pw, _ := u.User.Password(); u.User.Username() != "ch_admin" || pw != password || u.Host != "clickhouse:9000" || u.Path != "/default" {
		t.Errorf("DSN %q: user %q password %q host %q path %q", dsn, u.User.Username(), pw, u.Host, u.Path)
	}
	if opts, err := clickhouse.ParseDSN(dsn); err != nil || opts.Auth.Password != password || opts.Auth.Username != "ch_admin" {
		t.Errorf("clickhouse-go reads %q as %+v, %v", dsn, opts, err)
	}
	want := map[string]string{
		"CHSCHEMA_DSN":               dsn,
		"CHSCHEMA_DIR":               "/chschema/migrations",
		"CHSCHEMA_HISTORY_TABLE":     "xapi.chschema_migrations",
		"CHSCHEMA_LOG_FORMAT":        "text",
		"CHSCHEMA_WAIT":              "5m",
		"CHSCHEMA_LOCK_TIMEOUT":      "30m",
		"CHSCHEMA_LOCK_LEASE":        "1m",
		"CHSCHEMA_CLUSTER":           "",
		"CHSCHEMA_VAR_XAPI_DB":       "xapi",
		"CHSCHEMA_VAR_EVENT_SINK_DB": "event_sink",
		"CHSCHEMA_VAR_VECTOR_DB":     "openedx",
		"CHSCHEMA_VAR_ON_CLUSTER":    "",
	}
	if diff := cmp.Diff(want, compose); diff != "" {
		t.Errorf("job environment (-want +got):\n%s", diff)
	}
	script, err := os.ReadFile("tutorchschema/templates/chschema/jobs/init/chschema-migrate.sh")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.InitTasks) != 1 || r.InitTasks[0][0] != "chschema" || r.InitTasks[0][1] != string(script) || r.InitTasks[0][2] != 94.0 {
		t.Errorf("init tasks: %v", r.InitTasks)
	}
	if diff := cmp.Diff(map[string][][]string{"chschema": {{"chschema", "chschema status --format json"}}}, r.Do); diff != "" {
		t.Errorf("do commands (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]string{{"chschema", "docker.io/chschema-aspects:0.1.0"}}, r.ImagesPull); diff != "" {
		t.Errorf("images (-want +got):\n%s", diff)
	}

	cfg := aspectsConfig("clickhouse", "9440", "ch_admin", "pw", "")
	cfg["CLICKHOUSE_CLUSTER_NAME"] = "aspects"
	cfg["CLICKHOUSE_SECURE_CONNECTION"] = true
	cfg["CHSCHEMA_EXTRA_ENV"] = map[string]any{"CHSCHEMA_IGNORE": "reporting.*", "CHSCHEMA_VAR_PRICE": "$5"}
	env := composeEnv(t, render(t, cfg))
	for k, v := range map[string]string{
		"CHSCHEMA_CLUSTER": "aspects", "CHSCHEMA_VAR_ON_CLUSTER": "ON CLUSTER 'aspects'",
		"CHSCHEMA_DSN": "clickhouse://ch_admin:pw@clickhouse:9440/default?secure=true", "CHSCHEMA_IGNORE": "reporting.*", "CHSCHEMA_VAR_PRICE": "$5",
	} {
		if env[k] != v {
			t.Errorf("with a cluster, TLS and extra env: %s = %q, want %q", k, env[k], v)
		}
	}
}

// job runs the init task as Tutor does, `sh -e -c SCRIPT`, with env and
// the static binary on PATH.
func job(t *testing.T, script string, env map[string]string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command("sh", "-e", "-c", script)
	cmd.Env = []string{"PATH=" + staticBinary(t) + ":/usr/bin:/bin"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errOut.String()
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestInitTaskMigrates runs the plugin's init task with the environment the
// plugin gives the job, against the local ClickHouse: at init it applies
// every migration of the example project (examples/migrations, which the
// image carries), at an upgrade with nothing new it does nothing, at an
// upgrade with a new migration it applies that one; a failing migration
// fails the job (exit 2) with the failure in the log, and the next run, the
// statement fixed, resumes; a server that does not come up ends the wait.
func TestInitTaskMigrates(t *testing.T) {
	db := chtest.New(t)
	u, err := url.Parse(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(u.Host)
	password, _ := u.User.Password()
	prefix := db.Name + "_"
	ctx := context.Background()
	t.Cleanup(func() {
		for _, d := range []string{"xapi", "event_sink", "openedx"} {
			_ = db.Conn.Exec(ctx, "DROP DATABASE IF EXISTS `"+prefix+d+"`")
		}
	})
	r := render(t, aspectsConfig(host, port, u.User.Username(), password, prefix))
	env := composeEnv(t, r)
	script := r.InitTasks[0][1].(string)
	// The image has the migrations in /chschema/migrations; here they are in
	// the repository.
	migrations := t.TempDir()
	copyDir(t, "../migrations", migrations)
	env["CHSCHEMA_DIR"] = migrations

	count := func(q string, args ...any) uint64 {
		var n uint64
		if err := db.Conn.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	applied := func() uint64 {
		return count("SELECT countIf(status = 'applied') FROM `" + prefix + "xapi`.chschema_migrations")
	}

	code, stdout, stderr := job(t, script, env)
	if code != 0 {
		t.Fatalf("init: exit %d\n%s%s", code, stdout, stderr)
	}
	if !regexp.MustCompile(`^chschema \S+\n(revision \S+ \(\S+\)(, modified)?\n)?(built with \S+\n)?applied 9 migrations \(17 statements\)\n$`).MatchString(stdout) {
		t.Errorf("init stdout:\n%s", stdout)
	}
	if !regexp.MustCompile(`(?m)^\S+Z INFO  migrate done in \S+: 9 migrations applied, 17 statements run$`).MatchString(stderr) {
		t.Errorf("init log:\n%s", stderr)
	}
	if n := count("SELECT count() FROM system.tables WHERE database = ?", prefix+"xapi"); n < 5 {
		t.Errorf("%d tables in %sxapi after init", n, prefix)
	}

	code, stdout, stderr = job(t, script, env)
	if code != 0 || !strings.Contains(stdout, "applied 0 migrations (0 statements)") {
		t.Fatalf("upgrade with nothing new: exit %d\n%s%s", code, stdout, stderr)
	}

	writeMigration := func(name, sql string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(migrations, "xapi", name), []byte(sql), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeMigration("0005_course_tags.sql", "-- +up\nCREATE TABLE IF NOT EXISTS ${XAPI_DB}.course_tags ${ON_CLUSTER} (course_key String, tag String) ENGINE = MergeTree ORDER BY (course_key, tag);\n-- +down\nDROP TABLE IF EXISTS ${XAPI_DB}.course_tags ${ON_CLUSTER};\n")
	writeMigration("0006_bad.sql", "-- +up\nCREATE TABLE IF NOT EXISTS ${XAPI_DB}.tags_seen ${ON_CLUSTER} (tag String) ENGINE = MergeTree ORDER BY tag;\nINSERT INTO ${XAPI_DB}.no_such_table VALUES ('x');\n-- +down\nDROP TABLE IF EXISTS ${XAPI_DB}.tags_seen ${ON_CLUSTER};\n")
	env["CHSCHEMA_LOG_FORMAT"] = "json"
	code, stdout, stderr = job(t, script, env)
	if code != 2 {
		t.Fatalf("upgrade with a failing migration: exit %d, want 2\n%s%s", code, stdout, stderr)
	}
	var kinds []string
	var last map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if err := json.Unmarshal([]byte(line), &last); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		kinds = append(kinds, fmt.Sprint(last["kind"]))
	}
	if !strings.Contains(strings.Join(kinds, " "), "migration_done migration_started") || last["kind"] != "finished" || last["exit_code"] != 2.0 ||
		!strings.Contains(fmt.Sprint(last["error"]), "no_such_table") {
		t.Errorf("log of the failed upgrade: %v\n%s", kinds, stderr)
	}
	if applied() != 10 {
		t.Errorf("%d migrations applied after the failed upgrade, want 10", applied())
	}

	writeMigration("0006_bad.sql", "-- +up\nCREATE TABLE IF NOT EXISTS ${XAPI_DB}.tags_seen ${ON_CLUSTER} (tag String) ENGINE = MergeTree ORDER BY tag;\nINSERT INTO ${XAPI_DB}.tags_seen VALUES ('x');\n-- +down\nDROP TABLE IF EXISTS ${XAPI_DB}.tags_seen ${ON_CLUSTER};\n")
	env["CHSCHEMA_LOG_FORMAT"] = "text"
	code, stdout, stderr = job(t, script, env)
	if code != 0 || !regexp.MustCompile(`resumed xapi/0006 after 1 completed statements?( \([a-z -]+\))?\napplied 1 migrations? \(1 statements?\)`).MatchString(stdout) {
		t.Fatalf("rerun after the fix: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := count("SELECT count() FROM `" + prefix + "xapi`.tags_seen"); n != 1 {
		t.Errorf("%d rows in tags_seen, want 1", n)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := l.Addr().String()
	l.Close()
	env["CHSCHEMA_DSN"] = "clickhouse://default@" + down + "/default"
	env["CHSCHEMA_WAIT"] = "1s"
	code, _, stderr = job(t, script, env)
	if code != 2 || !strings.Contains(stderr, "INFO  waiting for the server at default@"+down+"/default: attempt 1 failed") ||
		!strings.Contains(stderr, "did not answer within 1s") {
		t.Errorf("ClickHouse down: exit %d\n%s", code, stderr)
	}
}
