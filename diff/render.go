package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/chschema/chschema/internal/english"
)

// TextOptions control WriteText.
type TextOptions struct {
	// Color adds ANSI colours. The CLI sets it when stdout is a terminal and
	// NO_COLOR is unset.
	Color bool
	// FromLabel and ToLabel name the two sides in the header; they default
	// to "expected" and "live".
	FromLabel, ToLabel string
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// WriteText writes r for people: grouped by database and object, with a
// "-" line for the From side and a "+" line for the To side of each
// difference, then the unverified objects and a one-line summary.
func WriteText(w io.Writer, r *Result, opts TextOptions) error {
	p := &textPrinter{out: w, color: opts.Color}
	fromLabel, toLabel := opts.FromLabel, opts.ToLabel
	if fromLabel == "" {
		fromLabel = "expected"
	}
	if toLabel == "" {
		toLabel = "live"
	}
	entries := Entries(r)
	objects := map[string]bool{}
	changes := 0
	if r.Drift() {
		p.line(ansiRed, "--- "+fromLabel)
		p.line(ansiGreen, "+++ "+toLabel)
	}
	var db, obj string
	started := false
	for _, e := range entries {
		if e.Action == "unverified" {
			continue
		}
		changes++
		group := "database " + quoteName(e.Database)
		if e.Database == "" {
			group = "functions"
		}
		if !started || group != db {
			p.line(ansiBold, group)
			db, obj, started = group, "", true
		}
		header := e.Kind + " " + quoteName(e.Object) + ": " + e.Action
		if e.Object == "" {
			header = "database: " + e.Action
		}
		objects[e.Name()] = true
		if header != obj {
			p.line(ansiBold, "  "+header)
			obj = header
		}
		indent := "    "
		if e.Subject != "" {
			sub := e.Subject
			if e.Detail != "" {
				sub += " (" + e.Detail + ")"
			}
			p.line("", "    "+sub+":")
			indent = "      "
		}
		for _, l := range lines(e.From) {
			p.line(ansiRed, indent+"- "+l)
		}
		for _, l := range lines(e.To) {
			p.line(ansiGreen, indent+"+ "+l)
		}
	}
	unverified := 0
	for _, e := range entries {
		if e.Action != "unverified" {
			continue
		}
		if unverified == 0 {
			p.line(ansiYellow, "unverified (not compared):")
		}
		unverified++
		p.line(ansiYellow, fmt.Sprintf("  %s %s: %s", e.Kind, e.Name(), e.Detail))
	}
	switch {
	case changes == 0 && unverified == 0:
		p.line("", "no drift")
	case changes == 0:
		p.line("", fmt.Sprintf("no drift; %d unverified", unverified))
	default:
		p.line("", fmt.Sprintf("drift: %s in %s", english.Plural(changes, "change"), english.Plural(len(objects), "object")))
	}
	if r.Ignored > 0 {
		p.line("", fmt.Sprintf("(%s ignored)", english.Plural(r.Ignored, "object")))
	}
	return p.err
}

// lines splits a side of an entry (a database in full is several
// statements) into its lines; none for "".
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

type textPrinter struct {
	out   io.Writer
	color bool
	err   error
}

func (p *textPrinter) line(color, s string) {
	if p.err != nil {
		return
	}
	if p.color && color != "" {
		s = color + s + ansiReset
	}
	_, p.err = io.WriteString(p.out, s+"\n")
}

func quoteName(s string) string {
	if s == "" {
		return ""
	}
	return Entry{Object: s}.Name()
}

// JSONReport is the document WriteJSON writes.
type JSONReport struct {
	Drift      bool    `json:"drift"`
	Changes    []Entry `json:"changes"`
	Unverified []Entry `json:"unverified"`
	Ignored    int     `json:"ignored"`
}

// Report returns r as a JSONReport.
func Report(r *Result) JSONReport {
	rep := JSONReport{Drift: r.Drift(), Changes: []Entry{}, Unverified: []Entry{}, Ignored: r.Ignored}
	for _, e := range Entries(r) {
		if e.Action == "unverified" {
			rep.Unverified = append(rep.Unverified, e)
		} else {
			rep.Changes = append(rep.Changes, e)
		}
	}
	return rep
}

// WriteJSON writes r for tools, as one indented JSONReport.
func WriteJSON(w io.Writer, r *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(Report(r))
}

// WriteGitHub writes r as GitHub Actions workflow commands: an error
// annotation titled "drift" per difference, placed on the migration
// statement that last touched the object when r.Origins knows it, and a
// warning titled "unverified" per object that could not be compared,
// placed on the migration that made it uncertain when that is known.
func WriteGitHub(w io.Writer, r *Result) error {
	return WriteGitHubWith(w, r, GitHubOptions{})
}

// GitHubOptions say where the differences of WriteGitHubWith are, for a
// diff that is one of several (one per node of a cluster).
type GitHubOptions struct {
	// Where, when set, is added to each title ("drift on <Where>") and
	// put in front of each message ("<Where>: ...").
	Where string
	// Title replaces the drift title (the unverified one stays).
	Title string
}

// WriteGitHubWith is WriteGitHub with the annotations placed by opts.
func WriteGitHubWith(w io.Writer, r *Result, opts GitHubOptions) error {
	title := "drift"
	if opts.Title != "" {
		title = opts.Title
	}
	prefix := ""
	if opts.Where != "" {
		title += " on " + opts.Where
		prefix = opts.Where + ": "
	}
	for _, e := range Entries(r) {
		level, props := "error", "title="+escapeProperty(title)
		if e.Action == "unverified" {
			level, props = "warning", "title=unverified"
			if opts.Where != "" {
				props += escapeProperty(" on " + opts.Where)
			}
		}
		if e.Pos != nil {
			// Shown on the migration that made the object uncertain, or
			// that last touched the object that differs.
			props = fmt.Sprintf("file=%s,line=%d,col=%d,%s", escapeProperty(e.Pos.File), e.Pos.Line, e.Pos.Col, props)
		}
		if _, err := fmt.Fprintf(w, "::%s %s::%s\n", level, props, escapeData(prefix+annotation(e))); err != nil {
			return err
		}
	}
	return nil
}

// annotation describes an entry in one sentence.
func annotation(e Entry) string {
	s := e.Kind + " " + e.Name() + " " + e.Action
	if e.Subject != "" {
		s += ": " + e.Subject
	}
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	switch {
	case e.From != "" && e.To != "":
		s += ": expected " + e.From + ", found " + e.To
	case e.From != "":
		s += ": expected " + e.From
	case e.To != "":
		s += ": found " + e.To
	}
	return s
}

// escapeData escapes a workflow command's message.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
