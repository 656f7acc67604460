package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
)

// Format is an output format for a Report.
type Format string

// The formats.
const (
	// Text is one line per finding: file:line:col: severity rule: message.
	Text Format = "text"
	// JSON is one document: {"findings": […], "errors": N, "warnings": N,
	// "infos": N}.
	JSON Format = "json"
	// GitHub is GitHub Actions workflow commands (::error, ::warning and
	// ::notice), which annotate the files of a pull request.
	GitHub Format = "github"
)

// Write renders the report in format to w. base is joined in front of each
// file path, so that paths are relative to the working directory (GitHub
// needs them relative to the repository root).
func (r *Report) Write(w io.Writer, format Format, base string) error {
	file := func(f Finding) string {
		if base == "" {
			return f.File
		}
		return path.Join(base, f.File)
	}
	switch format {
	case Text, "":
		var b strings.Builder
		for _, f := range r.Findings {
			b.WriteString(file(f))
			if f.Line > 0 {
				fmt.Fprintf(&b, ":%d:%d", f.Line, f.Col)
			}
			fmt.Fprintf(&b, ": %s %s: %s\n", f.Severity, f.Rule, f.Message)
		}
		_, err := io.WriteString(w, b.String())
		return err
	case JSON:
		out := struct {
			Findings []Finding `json:"findings"`
			Errors   int       `json:"errors"`
			Warnings int       `json:"warnings"`
			Infos    int       `json:"infos"`
		}{Findings: make([]Finding, 0, len(r.Findings)), Errors: r.Errors(), Warnings: r.Warnings(), Infos: r.Infos()}
		for _, f := range r.Findings {
			f.File = file(f)
			out.Findings = append(out.Findings, f)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case GitHub:
		var b strings.Builder
		for _, f := range r.Findings {
			cmd := "notice"
			switch f.Severity {
			case Error:
				cmd = "error"
			case Warning:
				cmd = "warning"
			}
			fmt.Fprintf(&b, "::%s file=%s", cmd, escapeProperty(file(f)))
			if f.Line > 0 {
				fmt.Fprintf(&b, ",line=%d,col=%d", f.Line, f.Col)
			}
			fmt.Fprintf(&b, ",title=%s::%s\n", escapeProperty(string(f.Rule)), escapeData(f.Message))
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	return fmt.Errorf("lint: unknown format %q: expected text, json or github", format)
}

// escapeData escapes a workflow command's message, as @actions/core does.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
