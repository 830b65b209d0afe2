// Command correlator-harness drives client-go's real record.EventCorrelator
// with scenarios read as JSON and prints what came out of every step. It is
// the Go half of the differential conformance harness of
// @event-recorder/conformance.
//
//	correlator-harness run [--pop=steer|random] < scenarios.json > results.json
//	correlator-harness bench --stream=storm|tenMessages|churn --n=N
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
)

type runInput struct {
	Scenarios []Scenario `json:"scenarios"`
}

type runOutput struct {
	ClientGo string           `json:"clientGo"`
	PopMode  string           `json:"popMode"`
	Results  []ScenarioResult `json:"results"`
}

const clientGoVersion = "k8s.io/client-go v0.37.2"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: correlator-harness run|bench [flags]")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "run":
		fs := flag.NewFlagSet("run", flag.ExitOnError)
		pop := fs.String("pop", "steer", "steer: make PopAny pop the earliest-inserted key; random: leave Go's choice")
		_ = fs.Parse(os.Args[2:])
		if *pop != "steer" && *pop != "random" {
			fmt.Fprintln(os.Stderr, "--pop must be steer or random")
			os.Exit(2)
		}
		if err := checkStaticLayouts(); err != nil {
			fmt.Fprintln(os.Stderr, "client-go layout check failed:", err)
			os.Exit(1)
		}
		var in runInput
		dec := json.NewDecoder(bufio.NewReaderSize(os.Stdin, 1<<20))
		if err := dec.Decode(&in); err != nil {
			fmt.Fprintln(os.Stderr, "bad input:", err)
			os.Exit(1)
		}
		out := runOutput{ClientGo: clientGoVersion, PopMode: *pop, Results: make([]ScenarioResult, 0, len(in.Scenarios))}
		for i := range in.Scenarios {
			out.Results = append(out.Results, runScenario(&in.Scenarios[i], *pop == "steer"))
		}
		w := bufio.NewWriterSize(os.Stdout, 1<<20)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		_ = w.Flush()
	case "bench":
		os.Exit(benchMain(os.Args[2:]))
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
		os.Exit(2)
	}
}
