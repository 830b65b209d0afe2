package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	testingclock "k8s.io/utils/clock/testing"
)

// The benchmark streams. bench/src/correlator.bench.ts builds exactly the same
// inputs; keep the two in step.

var benchStart = time.Date(2026, 7, 24, 10, 0, 0, 0, time.UTC)

func benchEvent(name, reason, message string) *v1.Event {
	return &v1.Event{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default"},
		InvolvedObject: v1.ObjectReference{
			Kind: "Pod", Namespace: "default", Name: name, UID: types.UID("uid-" + name), APIVersion: "v1",
		},
		Reason:         reason,
		Message:        message,
		Source:         v1.EventSource{Component: "bench", Host: "node-1"},
		FirstTimestamp: metav1.NewTime(benchStart),
		LastTimestamp:  metav1.NewTime(benchStart),
		Count:          1,
		Type:           v1.EventTypeNormal,
	}
}

// benchInputs returns the stream's n events. Identical events share one
// pointer (client-go never mutates its input), as the TypeScript side shares
// one object.
func benchInputs(stream string, n int) ([]*v1.Event, error) {
	out := make([]*v1.Event, n)
	switch stream {
	case "storm":
		e := benchEvent("storm-pod", "BackOff", "Back-off restarting failed container")
		for i := range out {
			out[i] = e
		}
	case "tenMessages":
		var ten [10]*v1.Event
		for i := range ten {
			ten[i] = benchEvent("mount-pod", "FailedMount", fmt.Sprintf("MountVolume.SetUp failed for volume \"v%d\"", i))
		}
		for i := range out {
			out[i] = ten[i%10]
		}
	case "churn":
		for i := range out {
			name := fmt.Sprintf("pod-%d", i)
			out[i] = benchEvent(name, "Scheduled", "Successfully assigned default/"+name+" to node-1")
		}
	default:
		return nil, fmt.Errorf("unknown stream %q", stream)
	}
	return out, nil
}

type benchResult struct {
	Stream       string  `json:"stream"`
	Events       int     `json:"events"`
	Seconds      float64 `json:"seconds"`
	EventsPerSec float64 `json:"eventsPerSec"`
	Written      int     `json:"written"`
	Skipped      int     `json:"skipped"`
	// RetainedHeapBytes is the live heap held by the correlator after the run.
	RetainedHeapBytes int64 `json:"retainedHeapBytes"`
}

func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// runBench correlates the inputs through a fresh client-go EventCorrelator
// with default options and a clock that advances 1 ms per read; every written
// event is fed back to UpdateState, as the broadcaster does on success.
func runBench(stream string, inputs []*v1.Event) benchResult {
	before := liveHeap()
	clk := &testingclock.SimpleIntervalClock{Time: benchStart, Duration: time.Millisecond}
	corr := record.NewEventCorrelatorWithOptions(record.CorrelatorOptions{Clock: clk})
	written, skipped := 0, 0
	t0 := time.Now()
	for _, e := range inputs {
		r, _ := corr.EventCorrelate(e)
		if r.Skip {
			skipped++
			continue
		}
		written++
		corr.UpdateState(r.Event)
	}
	elapsed := time.Since(t0).Seconds()
	after := liveHeap()
	runtime.KeepAlive(corr)
	return benchResult{
		Stream: stream, Events: len(inputs), Seconds: elapsed, EventsPerSec: float64(len(inputs)) / elapsed,
		Written: written, Skipped: skipped, RetainedHeapBytes: after - before,
	}
}

func benchMain(args []string) int {
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	stream := fs.String("stream", "storm", "storm | tenMessages | churn")
	n := fs.Int("n", 100000, "events in the stream")
	rounds := fs.Int("rounds", 3, "timed rounds; the fastest is reported (each on a fresh correlator)")
	_ = fs.Parse(args)
	inputs, err := benchInputs(*stream, *n)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	runBench(*stream, inputs) // warm-up
	var best benchResult
	for i := 0; i < *rounds; i++ {
		r := runBench(*stream, inputs)
		if i == 0 || r.Seconds < best.Seconds {
			heap := best.RetainedHeapBytes
			best = r
			if i > 0 && heap > best.RetainedHeapBytes {
				best.RetainedHeapBytes = heap
			}
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(best); err != nil {
		return 1
	}
	return 0
}
