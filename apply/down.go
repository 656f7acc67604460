package apply

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/chschema/chschema/internal/english"
)

// Down reverts applied units, most recent first, running their down sections
// and recording them. target.To keeps versions up to To applied in each
// selected service (To = 0 reverts everything); target.Steps reverts that many
// units. A down section interrupted earlier is resumed first. With mode
// DryRun it only returns the plan: it takes no lock and changes nothing.
//
// Before it runs anything, it looks for data the statements would destroy
// (Report.DataLoss, also in a dry run) and refuses with a *DataLossError
// unless WithDataLossAllowed.
func (r *Runner) Down(ctx context.Context, units []*Unit, target Target, mode Mode) (*Report, error) {
	return r.down(ctx, units, target, mode, r.allowDataLoss)
}

func (r *Runner) down(ctx context.Context, units []*Unit, target Target, mode Mode, allowLoss bool) (*Report, error) {
	if (target.To == nil) == (target.Steps == 0) {
		return &Report{}, errors.New("apply: down needs exactly one of a target version or a number of steps")
	}
	if target.Steps < 0 {
		return &Report{}, errors.New("apply: down steps must be positive")
	}
	pctx, cancel := r.stoppable(ctx)
	defer cancel()
	defer r.closeSession()
	var resumed []Resumed
	s, pl, err := r.begin(pctx, "down", units, mode, false, func(s *session) (*opPlan, error) {
		for _, k := range SortedKeys(s.partial) {
			if p := s.partial[k]; !p.Down {
				return nil, fmt.Errorf("%w: %s is half-applied (%s done); run migrate to finish it before going down", ErrIncomplete, k, english.Plural(p.Done, "statement"))
			}
		}
		// Candidates: applied or half-reverted units, most recently applied first.
		type cand struct {
			unit *Unit
			at   time.Time
		}
		var cands []cand
		for k, rec := range s.state {
			if target.Service != "" && k.Service != target.Service {
				continue
			}
			if !rec.Applied() && !s.partial[k].Down {
				continue
			}
			cands = append(cands, cand{s.byKey[k], rec.EventTime})
		}
		sort.Slice(cands, func(i, j int) bool {
			a, b := cands[i], cands[j]
			if a.unit.Service == b.unit.Service {
				return a.unit.Version > b.unit.Version
			}
			if !a.at.Equal(b.at) {
				return a.at.After(b.at)
			}
			return a.unit.Service > b.unit.Service
		})
		resumed = nil
		pl := &opPlan{}
		for _, c := range cands {
			if target.To != nil && c.unit.Version <= *target.To {
				continue
			}
			if target.Steps > 0 && len(pl.plan) == target.Steps {
				break
			}
			if c.unit.DownNoOp && r.strictDown {
				return nil, fmt.Errorf("%w: %s (strict down refuses sections marked -- no-op)", ErrNoOpDown, c.unit.File)
			}
			p := plannedUnit{unit: c.unit, start: s.partial[c.unit.Key()].Done}
			if p.start > 0 {
				resumed = append(resumed, Resumed{Key: c.unit.Key(), Done: p.start, From: s.partial[c.unit.Key()].From})
			}
			pl.plan = append(pl.plan, p)
		}
		return pl, nil
	})
	if err != nil {
		return &Report{}, r.beforeStatements(ctx, err)
	}
	if mode == Execute {
		defer r.release(ctx)
	}
	rep := &Report{Attempt: s.attempt, Resumed: resumed}
	for _, x := range resumed {
		r.events(Resuming{Key: x.Key, File: s.byKey[x.Key].File, Down: true, Done: x.Done, Total: len(s.byKey[x.Key].Down)})
	}
	plan := pl.plan
	losses, err := r.dataLoss(pctx, plan)
	if err != nil {
		return rep, r.beforeStatements(ctx, err)
	}
	rep.DataLoss = losses
	r.events(DataLossChecked{Losses: losses, Allowed: allowLoss && len(losses) > 0})
	if mode == DryRun {
		for _, p := range plan {
			for i := p.start; i < len(p.unit.Down); i++ {
				rep.Plan = append(rep.Plan, PlannedStatement{Key: p.unit.Key(), Index: i, Stmt: p.unit.Down[i]})
			}
		}
		return rep, nil
	}
	if len(losses) > 0 && !allowLoss {
		return rep, &DataLossError{Losses: losses}
	}
	return rep, r.run(ctx, s, plan, true, rep)
}

// Baseline records the units of target (all versions up to target.To, in the
// selected services) as applied without running them, for a database that
// already holds that schema. It verifies first and refuses on any drift.
func (r *Runner) Baseline(ctx context.Context, units []*Unit, target Target) ([]Key, error) {
	if target.To == nil {
		return nil, errors.New("apply: baseline needs a version")
	}
	pctx, cancel := r.stoppable(ctx)
	defer cancel()
	defer r.closeSession()
	var base []*Unit
	s, _, err := r.begin(pctx, "baseline", units, Execute, true, func(s *session) (*opPlan, error) {
		if len(s.partial) > 0 {
			return nil, fmt.Errorf("%w: baseline needs a history without half-applied migrations", ErrIncomplete)
		}
		base = nil
		for _, u := range units {
			if (target.Service == "" || u.Service == target.Service) && u.Version <= *target.To {
				base = append(base, u)
			}
		}
		expected := appliedUnits(s.state, units)
		var scope []*Unit
		for _, u := range base {
			if !s.state[u.Key()].Applied() {
				expected = append(expected, u)
			}
		}
		if target.Service != "" {
			// Only the service's objects are compared: on a database that
			// several services share, the others' are not this baseline's.
			scope = base
		}
		return &opPlan{verify: &AppliedState{Init: r.init, Applied: expected, Only: scope}}, nil
	})
	if err != nil {
		return nil, r.beforeStatements(ctx, err)
	}
	defer r.release(ctx)
	var events []Event
	var keys []Key
	now := time.Now()
	for _, u := range base {
		if s.state[u.Key()].Applied() {
			continue
		}
		e := r.event(u, StatusBaselined, s.attempt, len(u.Up), len(u.Up), now)
		e.FinishedAt = now.UTC()
		events = append(events, e)
		keys = append(keys, u.Key())
	}
	if err := r.held(); err != nil {
		return nil, err
	}
	return keys, r.history.Append(ctx, events...)
}

// UnitState is a migration's state as `chschema status` shows it.
type UnitState string

// The states status reports.
const (
	StateApplied    UnitState = "applied"
	StateBaselined  UnitState = "baselined"
	StatePending    UnitState = "pending"
	StateIncomplete UnitState = "incomplete"
	StateEdited     UnitState = "edited"
	StateMissing    UnitState = "missing"
)

// UnitStatus is one line of `chschema status`.
type UnitStatus struct {
	Key
	Name  string    `json:"name"`
	File  string    `json:"file,omitempty"`
	State UnitState `json:"state"`
	// Done and Total count statements of an incomplete section.
	Done  int    `json:"done,omitempty"`
	Total int    `json:"total,omitempty"`
	Note  string `json:"note,omitempty"`
	// AppliedAt is when it was applied or baselined.
	AppliedAt time.Time `json:"applied_at,omitzero"`
}

// Status reads the history and reports every migration's state, per service
// and version. It takes no lock and changes nothing.
func (r *Runner) Status(ctx context.Context, units []*Unit) ([]UnitStatus, error) {
	events, err := r.history.Load(ctx)
	if err != nil {
		return nil, err
	}
	state := State(events)
	seen := map[Key]bool{}
	var out []UnitStatus
	for _, u := range units {
		k := u.Key()
		seen[k] = true
		rec, ok := state[k]
		st := UnitStatus{Key: k, Name: u.Name, File: u.File, State: StatePending}
		switch {
		case !ok:
		case rec.Incomplete():
			st.State, st.Done, st.Total = StateIncomplete, int(rec.Statements), int(rec.Total)
			st.Note = fmt.Sprintf("%s by attempt %s", rec.Status, rec.Attempts[len(rec.Attempts)-1])
			if rec.Error != "" {
				st.Note += ": " + rec.Error
			}
		case rec.Applied() && rec.RawChecksum != u.RawChecksum:
			st.State, st.AppliedAt = StateEdited, rec.AppliedAt()
			st.Note = "the file changed after it was applied"
		case rec.Status == StatusBaselined:
			st.State, st.AppliedAt = StateBaselined, rec.AppliedAt()
		case rec.Applied():
			st.State, st.AppliedAt = StateApplied, rec.AppliedAt()
		}
		out = append(out, st)
	}
	for _, k := range SortedKeys(state) {
		rec := state[k]
		if !seen[k] && (rec.Applied() || rec.Incomplete()) {
			out = append(out, UnitStatus{Key: k, Name: rec.Name, State: StateMissing, Note: "recorded as " + string(rec.Status) + " but no file"})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		return out[i].Version < out[j].Version
	})
	return out, nil
}
