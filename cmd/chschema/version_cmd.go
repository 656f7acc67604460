package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
)

// version is chschema's own version; release builds set it with
// -ldflags "-X main.version=v1.2.3".
var version = ""

// Version reports chschema's version: the -X flag, else the module version
// recorded at build time (for `go install ...@v1.2.3`, or a pseudo-version
// from the VCS for a build in a checkout), else "devel".
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// BuildInfo is what the binary knows about its own build.
type BuildInfo struct {
	Version string `json:"chschema"`
	// Module is the main module's path.
	Module string `json:"module,omitempty"`
	// Revision, Time and Modified come from the VCS checkout the binary was
	// built in (go build -buildvcs), when there was one.
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go,omitempty"`
}

// readBuildInfo reads the binary's build information.
func readBuildInfo() BuildInfo {
	info := BuildInfo{Version: Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return info
	}
	info.Module, info.Go = bi.Main.Path, bi.GoVersion
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Revision = s.Value
		case "vcs.time":
			info.Time = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	return info
}

// VersionCmd prints chschema's version and, with --dsn, the server's.
type VersionCmd struct {
	optionalDSNFlag
	waitFlag
	formatFlag
}

// Run prints the versions.
func (c *VersionCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	out := struct {
		BuildInfo
		Server string `json:"server,omitempty"`
	}{BuildInfo: readBuildInfo()}
	if g.DSN != "" {
		db, err := connect(ctx, g.DSN, c.Wait, g.eventOptions()...)
		if err != nil {
			return err
		}
		defer db.Close()
		if out.Server, err = db.ServerVersion(ctx); err != nil {
			return err
		}
	}
	if g.Format == "json" {
		return json.NewEncoder(env.Stdout).Encode(out)
	}
	fmt.Fprintf(env.Stdout, "chschema %s\n", out.Version)
	if out.Revision != "" {
		line := "revision " + out.Revision
		if out.Time != "" {
			line += " (" + out.Time + ")"
		}
		if out.Modified {
			line += ", modified"
		}
		fmt.Fprintln(env.Stdout, line)
	}
	if out.Go != "" {
		fmt.Fprintf(env.Stdout, "built with %s\n", out.Go)
	}
	if out.Server != "" {
		fmt.Fprintf(env.Stdout, "clickhouse %s\n", out.Server)
	}
	return nil
}
