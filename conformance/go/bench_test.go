package main

import (
	"fmt"
	"testing"
)

// go test -bench . -benchmem  (from conformance/go): the same streams as
// `correlator-harness bench`, through Go's own benchmark driver.
func BenchmarkEventCorrelator(b *testing.B) {
	for _, stream := range []string{"storm", "tenMessages", "churn"} {
		b.Run(stream, func(b *testing.B) {
			inputs, err := benchInputs(stream, 100000)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r := runBench(stream, inputs)
				b.ReportMetric(r.EventsPerSec, "events/s")
			}
		})
	}
}

// TestProbeLayout checks that the harness can see into client-go's aggregator.
func TestProbeLayout(t *testing.T) {
	if err := checkStaticLayouts(); err != nil {
		t.Fatal(err)
	}
	sc := &Scenario{Name: "probe", Clock: ClockSpec{Start: "2026-07-24T10:00:00Z", IntervalMs: 1000}}
	for i := 0; i < 11; i++ {
		sc.Steps = append(sc.Steps, Step{Event: wireEvent{
			InvolvedObject: wireRef{Kind: "Pod", Name: "p"}, Reason: "R", Message: fmt.Sprintf("m%d", i), Count: 1,
		}})
	}
	res := runScenario(sc, true)
	if res.Error != "" {
		t.Fatal(res.Error)
	}
	if res.Steps[9].Pop == nil || res.Steps[10].Pop == nil || res.Steps[8].Pop != nil {
		t.Fatalf("pops not seen where expected: %+v", res.Steps)
	}
}
