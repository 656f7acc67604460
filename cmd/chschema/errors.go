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
	// NodeDrift is the drift of each node of a cluster that has some.
	NodeDrift []nodeDriftJSON
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
	// NodeDrift is, for a cluster, each node's drift.
	NodeDrift []nodeDriftJSON `json:"node_drift,omitempty"`
}

// exitCode is the process's exit code for a command's error: 0 for none,
// 1 for findings already printed (errFindings) and refusals, 2 otherwise.
func exitCode(err error) int {
	var ref *refusedError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFindings), errors.As(err, &ref):
		return exitFindings
	}
	return exitError
}

// reportError prints err the way --format asks and returns its exit code.
// errFindings was printed already. In JSON mode the error is one document
// on stdout; otherwise it is text on stderr: a refusal's details (lint
// findings, drift), then one "chschema: ..." line, left out when the JSON
// log lines carried the error (logged).
func reportError(env *Env, g *Globals, err error, logged bool) int {
	code := exitCode(err)
	if errors.Is(err, errFindings) {
		return code
	}
	var ref *refusedError
	errors.As(err, &ref)
	// Library errors name their package ("chschema: ..."); the CLI's
	// prefix says it already.
	msg := strings.TrimPrefix(err.Error(), "chschema: ")
	var printed *printedError
	if g.Format == "json" && errors.As(err, &printed) {
		return code
	}
	if g.Format == "json" {
		body := jsonErrorBody{Message: msg, ExitCode: code}
		if ref != nil {
			body.Refused, body.Findings, body.NodeDrift = ref.What, ref.Findings, ref.NodeDrift
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
	if !logged {
		fmt.Fprintf(env.Stderr, "chschema: %s\n", msg)
	}
	return code
}
