package chschema

import (
	"runtime/debug"
	"strings"
)

// VarPrefix is the prefix of the environment variables that hold template
// variables: CHSCHEMA_VAR_<NAME> is the value of ${NAME}.
const VarPrefix = "CHSCHEMA_VAR_"

// VarsFromEnviron returns the template variables set in environ (in the
// form of os.Environ: "KEY=value"): CHSCHEMA_VAR_<NAME>=value gives NAME.
// A later entry for the same name wins. Pass the result to WithVars.
func VarsFromEnviron(environ []string) map[string]string {
	vars := map[string]string{}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if n, found := strings.CutPrefix(name, VarPrefix); ok && found && n != "" {
			vars[n] = value
		}
	}
	return vars
}

// modulePath is this module's import path.
const modulePath = "github.com/chschema/chschema"

// moduleVersion is this module's version as the build recorded it: the
// main module's when chschema is the program, the dependency's when a
// program imports it; "devel" when unknown.
func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if bi.Main.Path == modulePath {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		return "devel"
	}
	for _, d := range bi.Deps {
		if d.Path == modulePath {
			if d.Replace != nil && d.Replace.Version != "" {
				return d.Replace.Version
			}
			if d.Version != "" && d.Version != "(devel)" {
				return d.Version
			}
		}
	}
	return "devel"
}

// parserVersion names this build's parser for the definition cache, which
// keeps parsed definitions only for a release or a clean VCS revision: a
// development build parses every definition again.
func parserVersion(version string) string {
	if version != "devel" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	rev, modified := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified {
		return ""
	}
	return rev
}
