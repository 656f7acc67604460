package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/lint"
)

// refusedError is an operation that refused to run (exit 1): a broken
// seal, lint errors in the migrations it was about to run, drift, an
// edited or missing applied migration. It carries what the user needs to
// see, printed by reportError as text on stderr or inside the JSON error.
type refusedError struct {
	// What is the operation: "migrate", "down", "baseline", "verify".
	What string
	// Reason is the one-line explanation, after "<what> refused: ".
	Reason string
	// Findings are lint findings (the seal, the pre-flight).
	Findings []lint.Finding
	// Drift is the drift found, when that is the reason.
	Drift *diff.Result
	// text prints the details (findings, drift) in text form.
	text func(w io.Writer)
	err  error
}

func (e *refusedError) Error() string { return e.What + " refused: " + e.Reason }

func (e *refusedError) Unwrap() error { return e.err }

// jsonError is the document a command prints on stdout, in --format json,
// when it fails.
type jsonError struct {
	Error jsonErrorBody `json:"error"`
}

type jsonErrorBody struct {
	Message string `json:"message"`
	// ExitCode is the process's exit code: 1 for a refusal, 2 otherwise.
	ExitCode int `json:"exit_code"`
	// Refused names the operation that refused to run.
	Refused  string           `json:"refused,omitempty"`
	Findings []lint.Finding   `json:"findings,omitempty"`
	Drift    *diff.JSONReport `json:"drift,omitempty"`
}

// reportError prints err the way --format asks and returns the exit code:
// errFindings (already printed) and refusals exit 1, anything else 2. In
// JSON mode the error is one document on stdout; otherwise it is text on
// stderr.
func reportError(env *Env, g *Globals, err error) int {
	if errors.Is(err, errFindings) {
		return exitFindings
	}
	code := exitError
	var ref *refusedError
	if errors.As(err, &ref) {
		code = exitFindings
	}
	// Library errors name their package ("chschema: ..."); the CLI's
	// prefix says it already.
	msg := strings.TrimPrefix(err.Error(), "chschema: ")
	if g.Format == "json" {
		body := jsonErrorBody{Message: msg, ExitCode: code}
		if ref != nil {
			body.Refused, body.Findings = ref.What, ref.Findings
			if ref.Drift != nil {
				r := diff.Report(ref.Drift)
				body.Drift = &r
			}
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if werr := enc.Encode(jsonError{Error: body}); werr != nil {
			fmt.Fprintf(env.Stderr, "chschema: %v\n", err)
		}
		return code
	}
	if ref != nil && ref.text != nil {
		ref.text(env.Stderr)
	}
	fmt.Fprintf(env.Stderr, "chschema: %s\n", msg)
	return code
}
