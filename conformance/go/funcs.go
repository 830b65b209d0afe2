package main

import (
	"fmt"
	"strings"

	v1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/record"
)

// Named user functions. Scenarios refer to them by name; the TypeScript runner
// implements the same names with the same definitions (src/userFuncs.ts).

func keyFuncByName(name string) (record.EventAggregatorKeyFunc, error) {
	switch name {
	case "", "default":
		return nil, nil
	case "objectOnly":
		// Aggregates everything said about one object; the local key is reason and message.
		return func(e *v1.Event) (string, string) {
			return strings.Join([]string{
				e.Source.Component, e.Source.Host, e.InvolvedObject.Kind, e.InvolvedObject.Namespace,
				e.InvolvedObject.Name, string(e.InvolvedObject.UID), e.InvolvedObject.APIVersion,
			}, ""), e.Reason + "/" + e.Message
		}, nil
	}
	return nil, fmt.Errorf("unknown keyFunc %q", name)
}

func messageFuncByName(name string) (record.EventAggregatorMessageFunc, error) {
	switch name {
	case "", "default":
		return nil, nil
	case "bracketed":
		return func(e *v1.Event) string { return "[aggregated] " + e.Message }, nil
	}
	return nil, fmt.Errorf("unknown messageFunc %q", name)
}

func spamKeyFuncByName(name string) (record.EventSpamKeyFunc, error) {
	switch name {
	case "", "default":
		return nil, nil
	case "withReason":
		// f_reason of TestEventSpamFilter: the default key without Type, with Reason.
		return func(e *v1.Event) string {
			return strings.Join([]string{
				e.Source.Component, e.Source.Host, e.InvolvedObject.Kind, e.InvolvedObject.Namespace,
				e.InvolvedObject.Name, string(e.InvolvedObject.UID), e.InvolvedObject.APIVersion, e.Reason,
			}, "")
		}, nil
	case "perMessage":
		// One bucket per object, reason and message.
		return func(e *v1.Event) string {
			return strings.Join([]string{
				e.Source.Component, e.Source.Host, e.InvolvedObject.Kind, e.InvolvedObject.Namespace,
				e.InvolvedObject.Name, string(e.InvolvedObject.UID), e.InvolvedObject.APIVersion,
				e.Type, e.Reason, e.Message,
			}, "")
		}, nil
	}
	return nil, fmt.Errorf("unknown spamKeyFunc %q", name)
}
