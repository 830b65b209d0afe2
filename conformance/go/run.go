package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/tools/record"
	testingclock "k8s.io/utils/clock/testing"
)

// Options mirrors the TypeScript EventCorrelator options; zero means default.
// Functions are referred to by name (see funcs.go).
type Options struct {
	LRUCacheSize         int     `json:"lruCacheSize,omitempty"`
	BurstSize            int     `json:"burstSize,omitempty"`
	QPS                  float64 `json:"qps,omitempty"`
	MaxEvents            int     `json:"maxEvents,omitempty"`
	MaxIntervalInSeconds int     `json:"maxIntervalInSeconds,omitempty"`
	KeyFunc              string  `json:"keyFunc,omitempty"`
	MessageFunc          string  `json:"messageFunc,omitempty"`
	SpamKeyFunc          string  `json:"spamKeyFunc,omitempty"`
}

// ClockSpec configures a SimpleIntervalClock: every Now() first advances the
// clock by IntervalMs, then returns it.
type ClockSpec struct {
	Start      string `json:"start"`
	IntervalMs int64  `json:"intervalMs,omitempty"`
}

// Step is one correlate call. Before it, the clock is set to SetTime (if
// given) and then advanced by AdvanceMs. With Stamp the harness reads the
// clock once and uses that instant as the event's first and last timestamp
// (as client-go's own TestEventCorrelator does).
type Step struct {
	Event     wireEvent       `json:"event"`
	SetTime   string          `json:"setTime,omitempty"`
	AdvanceMs int64           `json:"advanceMs,omitempty"`
	Stamp     bool            `json:"stamp,omitempty"`
	Sink      json.RawMessage `json:"sink,omitempty"`
}

// sinkSpec says what the "server" returns for a written event, to be fed to
// UpdateState: "echo" (default: the correlator's own output), "none" (the
// write failed: no UpdateState), {"overlay": partial event} (the output with
// the given fields replaced), or {"event": full event}.
type sinkSpec struct {
	Overlay *json.RawMessage `json:"overlay,omitempty"`
	Event   *wireEvent       `json:"event,omitempty"`
}

type Scenario struct {
	Name    string    `json:"name"`
	Options Options   `json:"options"`
	Clock   ClockSpec `json:"clock"`
	Steps   []Step    `json:"steps"`
}

// PopInfo describes an aggregation step: the local keys in the record when
// PopAny ran (insertion order as the harness tracked it), what Go popped and,
// when steering, the key the harness made it pop instead.
type PopInfo struct {
	AggregateKey string   `json:"aggregateKey"`
	Set          []string `json:"set"`
	Popped       string   `json:"popped"`
	SteeredTo    string   `json:"steeredTo,omitempty"`
}

type StepResult struct {
	Skip         bool       `json:"skip"`
	Event        *wireEvent `json:"event,omitempty"`
	Patch        *string    `json:"patch,omitempty"`
	Error        string     `json:"error,omitempty"`
	ClockReads   []string   `json:"clockReads"`
	Stamped      string     `json:"stamped,omitempty"`
	Pop          *PopInfo   `json:"pop,omitempty"`
	PopDependent bool       `json:"popDependent,omitempty"`
	UpdatedWith  *wireEvent `json:"updatedWith,omitempty"`
}

type ScenarioResult struct {
	Name  string       `json:"name"`
	Steps []StepResult `json:"steps"`
	Error string       `json:"error,omitempty"`
}

// countingClock wraps k8s.io/utils' SimpleIntervalClock and records each read.
type countingClock struct {
	inner *testingclock.SimpleIntervalClock
	reads []time.Time
}

func (c *countingClock) Now() time.Time {
	t := c.inner.Now()
	c.reads = append(c.reads, t)
	return t
}

func (c *countingClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

type aggModel struct {
	order     []string
	uncertain map[string]bool
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

func runScenario(sc *Scenario, steer bool) (res ScenarioResult) {
	res.Name = sc.Name
	defer func() {
		if r := recover(); r != nil {
			res.Error = fmt.Sprint("panic: ", r)
		}
	}()
	start := mustTime(sc.Clock.Start)
	clk := &countingClock{inner: &testingclock.SimpleIntervalClock{Time: start, Duration: time.Duration(sc.Clock.IntervalMs) * time.Millisecond}}
	keyFunc, err := keyFuncByName(sc.Options.KeyFunc)
	if err != nil {
		res.Error = err.Error()
		return
	}
	messageFunc, err := messageFuncByName(sc.Options.MessageFunc)
	if err != nil {
		res.Error = err.Error()
		return
	}
	spamKeyFunc, err := spamKeyFuncByName(sc.Options.SpamKeyFunc)
	if err != nil {
		res.Error = err.Error()
		return
	}
	corr := record.NewEventCorrelatorWithOptions(record.CorrelatorOptions{
		LRUCacheSize: sc.Options.LRUCacheSize, BurstSize: sc.Options.BurstSize, QPS: float32(sc.Options.QPS),
		KeyFunc: keyFunc, MessageFunc: messageFunc, MaxEvents: sc.Options.MaxEvents,
		MaxIntervalInSeconds: sc.Options.MaxIntervalInSeconds, Clock: clk, SpamKeyFunc: spamKeyFunc,
	})
	effKeyFunc := keyFunc
	if effKeyFunc == nil {
		effKeyFunc = record.EventAggregatorByReasonFunc
	}
	maxEvents := sc.Options.MaxEvents
	if maxEvents == 0 {
		maxEvents = 10
	}
	maxInterval := time.Duration(sc.Options.MaxIntervalInSeconds) * time.Second
	if maxInterval == 0 {
		maxInterval = 600 * time.Second
	}
	models := map[string]*aggModel{}

	for i := range sc.Steps {
		st := &sc.Steps[i]
		if st.SetTime != "" {
			clk.inner.Time = mustTime(st.SetTime)
		}
		clk.inner.Time = clk.inner.Time.Add(time.Duration(st.AdvanceMs) * time.Millisecond)
		ev, err := eventFromWire(&st.Event)
		if err != nil {
			res.Error = fmt.Sprintf("step %d: %v", i, err)
			return
		}
		var out StepResult
		if st.Stamp {
			t := clk.Now()
			clk.reads = clk.reads[:0]
			ev.FirstTimestamp.Time = t
			ev.LastTimestamp.Time = t
			out.Stamped = *formatTime(t)
		}
		aggKey, localKey := effKeyFunc(ev)
		before, err := peekAggregate(corr, aggKey)
		if err != nil {
			res.Error = err.Error()
			return
		}
		var beforeLast time.Time
		if before != nil {
			beforeLast = before.lastTimestamp.Time
		}

		clk.reads = clk.reads[:0]
		result, cerr := corr.EventCorrelate(ev)
		out.ClockReads = make([]string, 0, len(clk.reads))
		for _, r := range clk.reads {
			out.ClockReads = append(out.ClockReads, *formatTime(r))
		}
		if cerr != nil {
			out.Error = cerr.Error()
		}

		// Track the aggregator's local-key set in insertion order and detect pops.
		if len(clk.reads) == 0 {
			res.Error = fmt.Sprintf("step %d: the correlator did not read the clock", i)
			return
		}
		now := clk.reads[0]
		reset := before == nil || now.Sub(beforeLast) > maxInterval
		m := models[aggKey]
		if m == nil || reset {
			m = &aggModel{uncertain: map[string]bool{}}
			models[aggKey] = m
		}
		out.PopDependent = !reset && m.uncertain[localKey]
		if indexOf(m.order, localKey) < 0 {
			m.order = append(m.order, localKey)
		}
		after, err := peekAggregate(corr, aggKey)
		if err != nil || after == nil {
			res.Error = fmt.Sprintf("step %d: aggregator record missing after correlate (%v)", i, err)
			return
		}
		if len(m.order) >= maxEvents {
			set := append([]string(nil), m.order...)
			popped := ""
			for _, k := range set {
				if !after.localKeys.Has(k) {
					popped = k
					break
				}
			}
			pi := &PopInfo{AggregateKey: aggKey, Set: set, Popped: popped}
			victim := popped
			if steer && popped != m.order[0] {
				// Make Go's random choice the one the TypeScript port makes
				// (the earliest-inserted key): an outcome Go could have produced.
				after.localKeys.Insert(popped)
				after.localKeys.Delete(m.order[0])
				victim = m.order[0]
				pi.SteeredTo = victim
			}
			m.order = append(m.order[:0:0], m.order...)
			m.order = append(m.order[:indexOf(m.order, victim)], m.order[indexOf(m.order, victim)+1:]...)
			for _, k := range set {
				m.uncertain[k] = true
			}
			out.Pop = pi
		}
		if got := sortedKeys(after.localKeys); !sameSet(got, m.order) {
			res.Error = fmt.Sprintf("step %d: harness lost track of the aggregator set: go=%v model=%v", i, got, m.order)
			return
		}

		if result != nil {
			out.Skip = result.Skip
			if !result.Skip {
				out.Event = eventToWire(result.Event)
				if result.Patch != nil {
					p := string(result.Patch)
					out.Patch = &p
				}
				upd, err := sinkResponse(st.Sink, result.Event)
				if err != nil {
					res.Error = fmt.Sprintf("step %d: %v", i, err)
					return
				}
				if upd != nil {
					corr.UpdateState(upd)
					if len(st.Sink) > 0 && string(st.Sink) != `"echo"` {
						out.UpdatedWith = eventToWire(upd)
					}
				}
			}
		}
		res.Steps = append(res.Steps, out)
	}
	return
}

func sinkResponse(raw json.RawMessage, ev *v1.Event) (*v1.Event, error) {
	if len(raw) == 0 || string(raw) == `"echo"` || string(raw) == "null" {
		return ev, nil
	}
	if string(raw) == `"none"` {
		return nil, nil
	}
	var spec sinkSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("bad sink spec: %w", err)
	}
	if spec.Event != nil {
		return eventFromWire(spec.Event)
	}
	if spec.Overlay != nil {
		// Overlay onto the wire form of the output, then convert back.
		base, _ := json.Marshal(eventToWire(ev))
		var merged map[string]interface{}
		_ = json.Unmarshal(base, &merged)
		var over map[string]interface{}
		if err := json.Unmarshal(*spec.Overlay, &over); err != nil {
			return nil, err
		}
		mergeInto(merged, over)
		b, _ := json.Marshal(merged)
		var w wireEvent
		if err := json.Unmarshal(b, &w); err != nil {
			return nil, err
		}
		return eventFromWire(&w)
	}
	return nil, fmt.Errorf("bad sink spec %s", string(raw))
}

func mergeInto(dst, src map[string]interface{}) {
	for k, v := range src {
		if sv, ok := v.(map[string]interface{}); ok {
			if dv, ok := dst[k].(map[string]interface{}); ok {
				mergeInto(dv, sv)
				continue
			}
		}
		dst[k] = v
	}
}

func sortedKeys(s sets.Set[string]) []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sameSet(sorted []string, xs []string) bool {
	if len(sorted) != len(xs) {
		return false
	}
	ys := append([]string(nil), xs...)
	sort.Strings(ys)
	for i := range ys {
		if ys[i] != sorted[i] {
			return false
		}
	}
	return true
}
